import baseConfig, { domainBoundaries } from '../../../eslint.config.mjs';

export default [...baseConfig, ...domainBoundaries('observability')];
