import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { ConfigController } from './config.controller';
import { ConfigService } from './config.service';
import { ConfigActivation } from './entities/config-activation.entity';
import { ConfigVersion } from './entities/config-version.entity';

@Module({
  imports: [MikroOrmModule.forFeature([ConfigVersion, ConfigActivation])],
  controllers: [ConfigController],
  providers: [ConfigService],
  exports: [ConfigService],
})
export class ConfigModule {}
