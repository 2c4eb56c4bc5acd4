export * from './bot-gateway.module';
export * from './bot-gateway.service';
export * from './bot-gateway.controller';
export * from './dto/bot.dto';
