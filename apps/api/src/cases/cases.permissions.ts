import type { PermissionDeclaration } from '@veilig/platform-http';

/**
 * Least privilege for case work (SE-4.1). A member works on the cases of their own team or
 * assigned to them; a viewer sees that cases exist but never whom they concern; coordinating
 * (all cases, assignment) is for a custom role a tenant admin makes; auditors and tenant admins
 * see no case data by their role alone.
 */
export const CASES_PERMISSIONS: readonly PermissionDeclaration[] = [
  { name: 'cases:read-summary', description: 'List and open every case of the tenant without its personal data.', grantedTo: ['viewer'] },
  { name: 'cases:read', description: 'List and open the cases assigned to you or your team, personal data included.', grantedTo: ['member'] },
  { name: 'cases:create', description: 'Register a new case for your team.', grantedTo: ['member'] },
  { name: 'cases:update', description: 'Change the cases you may read with personal data.', grantedTo: ['member'] },
  { name: 'cases:close', description: 'Close the cases you may change.', grantedTo: ['member'] },
  { name: 'cases:read-all', description: 'List and open every case of the tenant, personal data included.', grantedTo: [] },
  { name: 'cases:assign', description: 'Assign any case to a user or a team.', grantedTo: [] },
];
