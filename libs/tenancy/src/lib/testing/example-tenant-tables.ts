import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { enableTenantRowLevelSecurity } from '../rls-migration.js';

/**
 * Two tenant-owned tables made the way a feature migration makes them, for the tests: notes,
 * and comments that reference a note by (tenant_id, id) so they can only reference their own
 * tenant's notes.
 */
export class ExampleTenantTables1765000000000 implements MigrationInterface {
  readonly name = 'ExampleTenantTables1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE notes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        title text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, id)
      )`);
    await queryRunner.query('CREATE INDEX notes_tenant_created ON notes (tenant_id, created_at)');
    await enableTenantRowLevelSecurity(queryRunner, 'notes');
    await queryRunner.query(`
      CREATE TABLE note_comments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        note_id uuid NOT NULL,
        body text NOT NULL,
        FOREIGN KEY (tenant_id, note_id) REFERENCES notes (tenant_id, id) ON DELETE CASCADE
      )`);
    await enableTenantRowLevelSecurity(queryRunner, 'note_comments');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE note_comments, notes');
  }
}

@Entity({ name: 'notes' })
export class Note {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Left unset on insert: the column defaults to the transaction's tenant. */
  @Column({ name: 'tenant_id', type: 'uuid', insert: false, update: false })
  tenantId!: string;

  @Column({ type: 'text' })
  title!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
