import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { DiffView } from './diff-view';

describe('DiffView', () => {
  it('shows each change side by side under the given column names', () => {
    render(
      <DiffView
        caption="r1 to r2"
        beforeLabel="Revision 1"
        afterLabel="Revision 2"
        changes={[
          { op: 'changed', path: 'roles.viewer.permissions', before: ['a:read'], after: [] },
          { op: 'added', path: 'routes.new', after: { id: 'new' } },
        ]}
      />,
    );
    const table = screen.getByRole('table', { name: 'r1 to r2' });
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Path', 'Revision 1', 'Revision 2']);
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]!.textContent).toContain('roles.viewer.permissions');
    expect(rows[0]!.querySelector('td.before')!.textContent).toContain('a:read');
    expect(rows[1]!.getAttribute('data-op')).toBe('added');
    expect(rows[1]!.querySelectorAll('td')[0]!.textContent).toBe('');
  });

  it('says when there is nothing to show', () => {
    render(<DiffView caption="none" changes={[]} />);
    expect(screen.getByText('No differences.')).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
  });
});
