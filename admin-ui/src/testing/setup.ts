// Component-test setup: unmount what a test rendered and restore fetch after each test.
import { cleanup } from '@testing-library/react';
import { afterEach, vi } from 'vitest';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

// jsdom has no CSS.escape; react-aria's modal uses it to look up a CSP nonce meta tag.
const css = ((globalThis as { CSS?: { escape?: (s: string) => string } }).CSS ??= {});
css.escape ??= (s: string) => s.replace(/[^A-Za-z0-9_-]/g, (c) => `\\${c}`);
