import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { AuditModule } from '@polymaker/api/audit';
import { ConfigController } from './config.controller';
import { ConfigService } from './config.service';
import { ConfigActivation } from './entities/config-activation.entity';
import { ConfigVersion } from './entities/config-version.entity';

@Module({
  imports: [MikroOrmModule.forFeature([ConfigVersion, ConfigActivation]), AuditModule],
  controllers: [ConfigController],
  providers: [ConfigService],
  exports: [ConfigService],
})
export class ConfigModule {}
