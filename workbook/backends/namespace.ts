// Names of a run's data on real services. The CLI gives each run a namespace
// (WORKBOOK_NAMESPACE); every schema and key the run creates starts with it,
// so the CLI can remove what a stopped run left behind (see cleanup.ts).
import { engineSetting } from '../paths.ts';

function safe(namespace: string | undefined): string {
  return (namespace ?? '').toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** PostgreSQL schemas of a run: wb5_<namespace>_<random>. */
export function schemaPrefix(namespace = engineSetting('WORKBOOK_NAMESPACE')): string {
  return safe(namespace) ? `wb5_${safe(namespace)}_` : 'wb5_';
}

/** Redis keys of a run: wb6:<namespace>:<random>:… */
export function keyPrefix(namespace = engineSetting('WORKBOOK_NAMESPACE')): string {
  return safe(namespace) ? `wb6:${safe(namespace)}:` : 'wb6:';
}
