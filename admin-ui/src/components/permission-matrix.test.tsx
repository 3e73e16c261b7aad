import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { PermissionMatrix } from './permission-matrix';

const roles = [
  { name: 'viewer', permissions: ['agents:read'], dirty: false },
  { name: 'operator', permissions: ['agents:write'], dirty: true },
];

describe('PermissionMatrix', () => {
  it('ticks exactly the granted cells and reports toggles by role and permission', async () => {
    const onToggle = vi.fn();
    render(<PermissionMatrix roles={roles} permissions={['agents:read', 'agents:write']} readOnly={false} onToggle={onToggle} />);
    const cell = (name: string) => screen.getByRole('checkbox', { name }) as HTMLInputElement;
    expect(cell('viewer grants agents:read').checked).toBe(true);
    expect(cell('viewer grants agents:write').checked).toBe(false);
    expect(cell('operator grants agents:write').checked).toBe(true);
    await userEvent.click(cell('viewer grants agents:read'));
    expect(onToggle).toHaveBeenCalledWith('viewer', 'agents:read', false);
    await userEvent.click(cell('operator grants agents:read'));
    expect(onToggle).toHaveBeenLastCalledWith('operator', 'agents:read', true);
    expect(screen.getByRole('columnheader', { name: /operator.*unsaved/ })).toBeTruthy();
  });

  it('cannot be changed read-only (an auditor)', async () => {
    const onToggle = vi.fn();
    render(<PermissionMatrix roles={roles} permissions={['agents:read']} readOnly onToggle={onToggle} />);
    const box = screen.getByRole('checkbox', { name: 'viewer grants agents:read' }) as HTMLInputElement;
    expect(box.disabled).toBe(true);
    await userEvent.click(box);
    expect(onToggle).not.toHaveBeenCalled();
  });
});
