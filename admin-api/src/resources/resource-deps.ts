/** What the resource endpoints need: the store, and the bundle publisher to tell about policy changes. */
import type { Actor } from '../auth/admin-roles.js';
import type { Store } from '../store/index.js';

export interface ResourceDeps {
  store: Store;
  /** Called once per changed service after the change committed; the bundle publisher recompiles and signs a new revision. */
  onPolicyChange(service: string, actor: Actor): void;
  /** Current time in epoch ms (default Date.now); tests move it to check key overlap windows. */
  now?: () => number;
}
