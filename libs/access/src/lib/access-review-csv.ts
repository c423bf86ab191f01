import { csvLine } from '@veilig/platform-http';
import type { AuthorisedPerson } from './access-administration.js';

/** The access review (SV-7.3) as CSV, one person per line, for the API and the command line alike. */
export function accessReviewCsv(people: readonly AuthorisedPerson[]): string {
  return [
    csvLine(['user_id', 'display_name', 'email', 'idp_subject', 'last_login_at', 'roles', 'permissions']),
    ...people.map((person) =>
      csvLine([
        person.userId,
        person.displayName,
        person.email,
        person.idpSubject,
        person.lastLoginAt,
        person.roles.map((role) => `${role.name} (${role.source})`).join('; '),
        person.permissions.join(' '),
      ]),
    ),
  ].join('');
}
