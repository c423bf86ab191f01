/** Group role holding the application's privileges; infra/postgres/roles.sql creates it in production. */
export const APPLICATION_GROUP_ROLE = 'veilig_application';
