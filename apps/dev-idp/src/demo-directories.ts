/** A user of a demo Entra tenant, with the attributes Entra would release for them. */
export interface DemoUser {
  /** Entra object id: immutable, unique in the tenant, the key the kit provisions users by. */
  readonly oid: string;
  readonly givenName: string;
  readonly surname: string;
  /** Also the user principal name, as in most municipal tenants. */
  readonly email: string;
  readonly displayName: string;
  readonly department?: string;
  /** Group object ids. */
  readonly groups?: readonly string[];
  /** App roles assigned to the user in the enterprise application. */
  readonly roles?: readonly string[];
}

/** One Entra tenant: a municipality's directory. */
export interface DemoDirectory {
  /** The Entra tenant id (`tid`): a lower-case GUID. */
  readonly tenantId: string;
  readonly name: string;
  readonly users: readonly DemoUser[];
}

/**
 * The two municipalities `npm start` signs in with. The ids are fixed so that tenants seeded in
 * the kit's database keep pointing at the same directories after every restart; the domains are
 * under `.example` (RFC 2606), so no demo address can ever reach a real mailbox.
 */
export const DEMO_DIRECTORIES: readonly DemoDirectory[] = [
  {
    tenantId: '6f1c2a9e-3b7d-4c58-9e21-0a4d8b7c5e13',
    name: 'Gemeente Voorbeeld',
    users: [
      {
        oid: '0c8e4f6a-2d1b-4a7e-9c35-6b8f0e2d4a17',
        givenName: 'Fenna',
        surname: 'de Vries',
        email: 'fenna.devries@voorbeeld.gemeente.example',
        displayName: 'Fenna de Vries',
        department: 'Informatievoorziening',
        groups: ['a3d5f7b9-1c2e-4f60-8a1b-2c3d4e5f6a01'],
        roles: ['tenant-admin'],
      },
      {
        oid: '5b7d9f1a-3c4e-4b6d-8f0a-1c2e3d4f5a62',
        givenName: 'Jeroen',
        surname: 'Bakker',
        email: 'jeroen.bakker@voorbeeld.gemeente.example',
        displayName: 'Jeroen Bakker',
        department: 'Burgerzaken',
        groups: ['a3d5f7b9-1c2e-4f60-8a1b-2c3d4e5f6a02'],
      },
      {
        // A temporary worker whose account has no department: the kit must cope with a missing attribute (SV-4).
        oid: '9e1f3a5c-7b2d-4e8f-a0c1-d2e3f4a5b6c7',
        givenName: 'Sanne',
        surname: 'Jansen',
        email: 'sanne.jansen@voorbeeld.gemeente.example',
        displayName: 'Sanne Jansen',
        roles: ['auditor'],
      },
    ],
  },
  {
    tenantId: 'c4e8a2f6-9d1b-4f3a-b7c5-2e6d8f0a1b39',
    name: 'Gemeente Proef',
    users: [
      {
        oid: '2a4c6e8f-0b1d-4c3e-9f5a-7b8c9d0e1f23',
        givenName: 'Pieter',
        surname: 'van Dijk',
        email: 'pieter.vandijk@proef.gemeente.example',
        displayName: 'Pieter van Dijk',
        department: 'Sociaal Domein',
        groups: ['e7f9a1b3-5c6d-4e80-9a2b-3c4d5e6f7a81'],
      },
      {
        oid: '7d9f1b3d-5e6f-4a8b-b0c2-4d5e6f7a8b94',
        givenName: 'Noor',
        surname: 'El Amrani',
        email: 'noor.elamrani@proef.gemeente.example',
        displayName: 'Noor El Amrani',
        department: 'Vergunningen',
        roles: ['tenant-admin'],
      },
    ],
  },
];
