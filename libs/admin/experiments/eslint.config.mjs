import baseConfig from '../../../eslint.config.mjs';
import adminAngular from '../../../libs/admin/eslint.angular.mjs';

export default [...baseConfig, ...adminAngular];
