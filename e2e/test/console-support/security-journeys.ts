/** Journeys of the security admin (issue #11: 1, 2 and 6), each a function over a running system and browser. */
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { newContext, signIn } from './browser.js';
import { sidecarStatus, USERS, within, type ConsoleSystem } from './console-system.js';

/** Journey 1: sign in (coming back to the page asked for), create a key, copy it, use it, revoke it. */
export async function apiKeyJourney(sys: ConsoleSystem, browser: Browser): Promise<{ createMs: number; revokeMs: number }> {
  // Keys belong to a principal that exists (the control plane refuses others, issue #10): made through the API here.
  await sys.call('POST', '/api/v1/principals', { id: 'svc-e2e', kind: 'service-account', displayName: 'e2e journey 1' });
  const ctx = await newContext(browser, sys.admin.url);
  const page = await ctx.newPage();
  try {
    await page.goto('/services/agents/api-keys');
    await page.waitForURL(/\/sign-in\?next=/);
    await signIn(page, USERS.security, page.url().replace(sys.admin.url, ''));
    expect(new URL(page.url()).pathname).toBe('/services/agents/api-keys');
    const form = page.getByRole('form', { name: 'Create an API key' });
    await form.getByRole('button', { name: 'Create key' }).click();
    await expect.poll(() => form.getByText('Enter the principal the key acts as').count()).toBe(1);
    await form.getByLabel('Principal').fill('svc-e2e');
    await form.getByText('operator', { exact: true }).click();
    await form.getByRole('button', { name: 'Create key' }).click();
    const shown = (await page.getByTestId('secret-value').textContent())!;
    expect(shown).toMatch(/^ak_/);
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByText('Copied').waitFor();
    const copied = await page.evaluate<string>('navigator.clipboard.readText()');
    expect(copied).toBe(shown);
    const t0 = Date.now();
    const createMs = await within(1000, () => sidecarStatus(sys.sidecar.url, copied), 200);
    expect(Date.now() - t0).toBeLessThan(1000);
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByTestId('secret-value').count()).toBe(0);

    const keyId = (await sys.call<{ items: { id: string; principal: string }[] }>('GET', '/api/v1/services/agents/api-keys')).body.items.find((k) => k.principal === 'svc-e2e')!.id;
    await page.getByRole('button', { name: `Revoke key ${keyId}` }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.getByText('This cannot be undone').waitFor();
    const t1 = Date.now();
    await dialog.getByRole('button', { name: 'Revoke key' }).click();
    const revokeMs = await within(1000, () => sidecarStatus(sys.sidecar.url, copied), 401);
    expect(Date.now() - t1).toBeLessThan(1000);
    await page.locator(`tr[data-key-id="${keyId}"]`).getByText('revoked', { exact: true }).first().waitFor();
    return { createMs, revokeMs };
  } finally {
    await ctx.close();
  }
}

async function openRoles(browser: Browser, sys: ConsoleSystem, user: string): Promise<Page> {
  const ctx = await newContext(browser, sys.admin.url);
  const page = await ctx.newPage();
  await signIn(page, user, '/services/agents/roles');
  await page.getByRole('table', { name: 'Permissions granted by each role' }).waitFor();
  return page;
}

/** Journey 2: untick a permission in the matrix and save; the sidecar denies within 1 s; the audit trail shows before/after. */
export async function permissionMatrixJourney(sys: ConsoleSystem, browser: Browser): Promise<number> {
  const viewerKey = sys.seeded.apiKeys.viewer!.secret;
  expect(await sidecarStatus(sys.sidecar.url, viewerKey)).toBe(200);
  const page = await openRoles(browser, sys, USERS.security);
  try {
    await page.getByRole('checkbox', { name: 'viewer grants agents:read' }).click({ force: true });
    expect(await page.getByRole('checkbox', { name: 'viewer grants agents:read' }).isChecked()).toBe(false);
    const t0 = Date.now();
    await page.getByRole('button', { name: /^Save changes \(viewer\)/ }).click();
    const ms = await within(1000, () => sidecarStatus(sys.sidecar.url, viewerKey), 403);
    expect(Date.now() - t0).toBeLessThan(1000);
    await page.getByRole('button', { name: 'Save changes', exact: true }).waitFor();

    await page.getByRole('link', { name: 'Audit trail' }).click();
    const event = page.locator('[data-action="role.update"]').first();
    await event.getByRole('button').click();
    const row = event.locator('tr', { hasText: 'permissions' });
    await expect.poll(() => row.count()).toBeGreaterThan(0);
    const text = await event.locator('table').innerText();
    expect(text).toContain('agents:read');
    return ms;
  } finally {
    await page.context().close();
  }
}

/** Journey 6: two admins edit the same role; the second save shows the conflict, and re-applying keeps the second edit. */
export async function conflictJourney(sys: ConsoleSystem, browser: Browser): Promise<void> {
  const first = await openRoles(browser, sys, USERS.security);
  const second = await openRoles(browser, sys, USERS.owner);
  try {
    await first.getByRole('checkbox', { name: 'operator grants debug:read' }).click({ force: true });
    await second.getByRole('checkbox', { name: 'operator grants workflows:write' }).click({ force: true });
    await first.getByRole('button', { name: /^Save changes \(operator\)/ }).click();
    await first.getByRole('button', { name: 'Save changes', exact: true }).waitFor();
    await second.getByRole('button', { name: /^Save changes \(operator\)/ }).click();
    const dialog = second.getByRole('alertdialog');
    await dialog.getByText('Someone else changed role operator').waitFor();
    const diff = await dialog.locator('table').innerText();
    expect(diff).toMatch(/permissions\.\d+ \(changed\)/);
    expect(diff).toContain('workflows:write');
    // The second admin's edit is still there, unsaved, until they choose.
    expect(await second.getByRole('checkbox', { name: 'operator grants workflows:write' }).isChecked()).toBe(false);
    await dialog.getByRole('button', { name: 'Re-apply mine' }).click();
    await second.getByRole('button', { name: 'Save changes', exact: true }).waitFor();
    const role = await sys.call<{ definition: { permissions: string[] } }>('GET', '/api/v1/services/agents/roles/operator');
    expect(role.body.definition.permissions).not.toContain('workflows:write');
    expect(role.body.definition.permissions).toContain('debug:read');
  } finally {
    await first.context().close();
    await second.context().close();
  }
}
