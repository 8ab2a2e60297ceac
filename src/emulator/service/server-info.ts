import { hostname } from 'node:os';
import { ok } from '../result.js';
import { isoUtc, localDateTime } from '../time.js';
import type { OperationHandler } from './context.js';

export const EMULATED_VERSION = '8.7.0.0';

export const serverInfo: OperationHandler = async () => {
  const now = new Date();
  return ok(
    ['VersionNumber', EMULATED_VERSION],
    ['Server_date_time', localDateTime(now)],
    ['Coordinated_Universal_Time', isoUtc(now.getTime())],
    ['UTC_Offset', String(-now.getTimezoneOffset() / 60)],
    ['Company', 'srv-asmx emulator'],
    ['ServerName', hostname()],
    ['LicenseCount', '100'],
    ['SubscriptionEndDate', '2099-12-31T00:00:00Z'],
    ['WindowsAuthenticationIsOn', 'false'],
    ['WorkflowIsOn', 'false'],
    ['AnonymousAccessIsOn', 'false'],
    ['ComplianceModuleIsOn', 'true'],
  );
};
