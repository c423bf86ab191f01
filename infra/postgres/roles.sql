-- Database roles for a production deployment (run once by a DBA, as a superuser).
-- The kit refuses to start when its application role could bypass row-level security.
--
--   veilig_owner        runs migrations (DATABASE_URL); owns the schema and every table
--   veilig_application  group role: DML on the tables, granted by the migrations
--   veilig_app          the application's login (DATABASE_APP_URL): member of veilig_application,
--                       not owner, not superuser, no BYPASSRLS
--
-- Replace the passwords; prefer client certificates (sslmode=verify-full) where the platform offers them.

CREATE ROLE veilig_owner LOGIN PASSWORD 'replace-me-owner' NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB;
CREATE ROLE veilig_application NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB;
CREATE ROLE veilig_app LOGIN PASSWORD 'replace-me-app' NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB IN ROLE veilig_application;

CREATE DATABASE veilig OWNER veilig_owner ENCODING 'UTF8';
REVOKE ALL ON DATABASE veilig FROM PUBLIC;
GRANT CONNECT ON DATABASE veilig TO veilig_app;
