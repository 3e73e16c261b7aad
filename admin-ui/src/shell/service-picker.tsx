/** The service the service-scoped pages show, as a react-aria Select; changing it keeps the current page. */
import { useQuery } from '@tanstack/react-query';
import { Button, Label, ListBox, ListBoxItem, Popover, Select, SelectValue } from 'react-aria-components';
import { useLocation, useNavigate, useParams } from 'react-router';
import { servicesQuery } from '../api/services-api';

/** Picks the service in `/services/:service/<page>`. */
export function ServicePicker() {
  const services = useQuery(servicesQuery);
  const { service } = useParams();
  const loc = useLocation();
  const navigate = useNavigate();
  const items = services.data ?? [];
  if (items.length === 0) return null;
  const page = service ? loc.pathname.split('/')[3] ?? 'api-keys' : 'api-keys';
  return (
    <Select
      selectedKey={service ?? null}
      onSelectionChange={(k) => void navigate(`/services/${encodeURIComponent(String(k))}/${page}`)}
      placeholder="Choose a service"
    >
      <Label>Service</Label>
      <Button>
        <SelectValue />
        <span aria-hidden="true"> ▾</span>
      </Button>
      <Popover>
        <ListBox items={items.map((s) => ({ id: s.name, name: s.name }))}>{(s) => <ListBoxItem id={s.id}>{s.name}</ListBoxItem>}</ListBox>
      </Popover>
    </Select>
  );
}
