import { textProblem } from './text';

describe('textProblem', () => {
  it.each([['BTC'], ['Up ↑'], ['emoji 😀 pairs are fine'], ['']])('accepts %p', (text) => {
    expect(textProblem(text)).toBeNull();
  });

  it.each([
    ['B\u0000TC', /NUL/],
    ['\ud800', /unpaired UTF-16 surrogates/],
    ['a\udc00b', /unpaired/],
    ['end\ud83d', /unpaired/],
    ['\ude00start', /unpaired/],
  ])('refuses %p', (text, message) => {
    expect(textProblem(text)).toMatch(message);
  });
});
