import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  PutParameterCommand,
  SSMClient,
  paginateGetParametersByPath,
} from '@aws-sdk/client-ssm';
import { startLocalCloud } from '../../src/cloud';
import type { LocalCloud } from '../../src/cloud';
import { createSsmModule } from '../../src/services/ssm';
import { ParameterStore } from '../../src/services/ssm/parameter-store';

describe('SSM Parameter Store (emulated)', () => {
  let cloud: LocalCloud;
  let ssm: SSMClient;
  beforeAll(async () => {
    cloud = await startLocalCloud({ inMemory: true, modules: [createSsmModule] });
    ssm = new SSMClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDANY', secretAccessKey: 'any' } });
    for (const name of ['a', 'b', 'c']) await ssm.send(new PutParameterCommand({ Name: `/kestrel/test/queues/${name}`, Value: `url-${name}`, Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: '/kestrel/test/queues/deep/d', Value: 'url-d', Type: 'String' }));
  });
  afterAll(async () => {
    await cloud?.stop();
  });

  it('versions overwrites and refuses creating an existing parameter', async () => {
    // act
    const duplicate = await ssm.send(new PutParameterCommand({ Name: '/kestrel/test/queues/a', Value: 'x', Type: 'String' })).catch((error: unknown) => error);
    const overwritten = await ssm.send(new PutParameterCommand({ Name: '/kestrel/test/queues/a', Value: 'url-a2', Overwrite: true }));
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/kestrel/test/queues/a' }));
    // assess
    expect(duplicate).toMatchObject({ name: 'ParameterAlreadyExists' });
    expect(overwritten.Version).toBe(2);
    expect(Parameter).toMatchObject({ Value: 'url-a2', Version: 2, Type: 'String' });
  });

  it('answers GetParameters with the names it could not find', async () => {
    // act
    const result = await ssm.send(new GetParametersCommand({ Names: ['/kestrel/test/queues/b', '/kestrel/test/nope'] }));
    // assess
    expect(result.Parameters?.map((parameter) => parameter.Value)).toEqual(['url-b']);
    expect(result.InvalidParameters).toEqual(['/kestrel/test/nope']);
  });

  it('lists by path one level or recursively, paginating', async () => {
    // act
    const oneLevel = await ssm.send(new GetParametersByPathCommand({ Path: '/kestrel/test/queues' }));
    const names: string[] = [];
    for await (const page of paginateGetParametersByPath({ client: ssm, pageSize: 2 }, { Path: '/kestrel/test/queues/', Recursive: true })) {
      names.push(...(page.Parameters ?? []).map((parameter) => parameter.Name as string));
    }
    // assess
    expect(oneLevel.Parameters?.map((parameter) => parameter.Name)).toEqual(['/kestrel/test/queues/a', '/kestrel/test/queues/b', '/kestrel/test/queues/c']);
    expect(names).toEqual(['/kestrel/test/queues/a', '/kestrel/test/queues/b', '/kestrel/test/queues/c', '/kestrel/test/queues/deep/d']);
  });

  it('deletes, then reports ParameterNotFound, and validates names field by field', async () => {
    // act
    await ssm.send(new DeleteParameterCommand({ Name: '/kestrel/test/queues/c' }));
    const gone = await ssm.send(new DeleteParameterCommand({ Name: '/kestrel/test/queues/c' })).catch((error: unknown) => error);
    const invalid = await ssm.send(new PutParameterCommand({ Name: 'no/leading/slash', Value: 'x', Type: 'String' })).catch((error: unknown) => error);
    // assess
    expect(gone).toMatchObject({ name: 'ParameterNotFound' });
    expect(invalid).toMatchObject({ name: 'ValidationException' });
    expect((invalid as Error).message).toContain("a name with a path must be fully qualified (start with '/')");
  });
});

describe('parameter store persistence', () => {
  it('reloads what it wrote', () => {
    // prepare
    const file = join(mkdtempSync(join(tmpdir(), 'ssm-')), 'ssm', 'parameters.json');
    new ParameterStore(file).put({ name: '/kestrel/bus', value: 'kestrel-bus', type: 'String' });
    // act
    const reloaded = new ParameterStore(file).get('/kestrel/bus');
    // assess
    expect(reloaded).toMatchObject({ name: '/kestrel/bus', value: 'kestrel-bus', version: 1 });
  });
});
