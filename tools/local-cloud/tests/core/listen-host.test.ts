/**
 * LOCAL_CLOUD_HOST: where the edge and the HTTP API listener bind, the host
 * their URLs carry, and the warning when other devices can reach them.
 */
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { startLocalCloud } from '../../src/cloud';
import { resolveListenHost } from '../../src/core/listen-host';
import { apiGatewayModuleFactory, type ApiGatewayModule } from '../../src/services/apigateway';
import { createSsmModule } from '../../src/services/ssm';

const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((address) => address?.family === 'IPv4' && !address.internal)?.address;

describe('resolveListenHost', () => {
  it('binds loopback unless LOCAL_CLOUD_HOST says otherwise', () => {
    expect(resolveListenHost(undefined, {})).toEqual({ bind: '127.0.0.1', advertised: '127.0.0.1', loopback: true });
    expect(resolveListenHost(undefined, { LOCAL_CLOUD_HOST: ' 192.168.1.20 ' })).toEqual({ bind: '192.168.1.20', advertised: '192.168.1.20', loopback: false });
    expect(resolveListenHost('127.0.0.2', { LOCAL_CLOUD_HOST: '0.0.0.0' })).toEqual({ bind: '127.0.0.2', advertised: '127.0.0.2', loopback: true });
    expect(resolveListenHost(undefined, { LOCAL_CLOUD_HOST: '::1' })).toEqual({ bind: '::1', advertised: '[::1]', loopback: true });
  });

  it('advertises a LAN address, never 0.0.0.0, when binding every interface', () => {
    const host = resolveListenHost(undefined, { LOCAL_CLOUD_HOST: '0.0.0.0' });
    expect(host).toMatchObject({ bind: '0.0.0.0', loopback: false });
    expect(host.advertised).toBe(lanAddress ?? '127.0.0.1');
  });
});

describe('a local cloud listening beyond loopback', () => {
  it('binds every interface, warns, and hands out URLs another device can call', async () => {
    // prepare
    const logged: string[] = [];
    const previous = process.env.LOCAL_CLOUD_HOST;
    process.env.LOCAL_CLOUD_HOST = '0.0.0.0';
    let cloud;
    try {
      cloud = await startLocalCloud({ inMemory: true, modules: [createSsmModule, apiGatewayModuleFactory({ port: 0 })], log: (message) => logged.push(message) });
    } finally {
      if (previous === undefined) delete process.env.LOCAL_CLOUD_HOST;
      else process.env.LOCAL_CLOUD_HOST = previous;
    }
    try {
      const apis = cloud.modules.find((module) => module.name === 'apigateway') as ApiGatewayModule;
      const advertised = lanAddress ?? '127.0.0.1';
      // act
      const health = await fetch(`${cloud.endpoint}/_local/health`);
      const viaLoopback = await fetch(`http://127.0.0.1:${cloud.port}/_local/health`);
      const unknownApi = await fetch(`${apis.baseUrl}/_apis/nosuchapi`);
      // assess
      expect(logged.find((line) => line.startsWith('WARNING: listening on 0.0.0.0'))).toContain('check no AWS credentials');
      expect(cloud.endpoint).toBe(`http://${advertised}:${cloud.port}`);
      expect(apis.baseUrl).toMatch(new RegExp(`^http://${advertised.replaceAll('.', '\\.')}:\\d+$`));
      expect(health.status).toBe(200);
      expect(viaLoopback.status).toBe(200);
      expect(unknownApi.status).toBe(404);
    } finally {
      await cloud.stop();
    }
  });

  it('stays quiet on loopback', async () => {
    // prepare
    const logged: string[] = [];
    // act
    const cloud = await startLocalCloud({ inMemory: true, host: '127.0.0.2', modules: [createSsmModule, apiGatewayModuleFactory({ port: 0 })], log: (message) => logged.push(message) });
    try {
      // assess
      expect(cloud.endpoint).toBe(`http://127.0.0.2:${cloud.port}`);
      expect((cloud.modules.find((module) => module.name === 'apigateway') as ApiGatewayModule).baseUrl).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
      expect((await fetch(`${cloud.endpoint}/_local/health`)).status).toBe(200);
      expect(logged.filter((line) => line.startsWith('WARNING'))).toEqual([]);
    } finally {
      await cloud.stop();
    }
  });
});
