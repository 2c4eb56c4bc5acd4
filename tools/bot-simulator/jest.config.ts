export default {
  displayName: 'bot-simulator',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json', isolatedModules: true }],
  },
  moduleFileExtensions: ['ts', 'js'],
  testTimeout: 120_000,
  coverageDirectory: '../../coverage/tools/bot-simulator',
};
