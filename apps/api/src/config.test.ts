import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ConfigError } from '@fileflow/adapters';
import { loadConfig } from './config.ts';

// Syntactically valid settings. Nothing in these tests connects to these addresses.
const baseEnv = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:1/fileflow',
  KAFKA_BROKERS: '127.0.0.1:1',
  S3_ENDPOINT: 'http://127.0.0.1:1',
  S3_ACCESS_KEY: 'access',
  S3_SECRET_KEY: 'secret',
};

describe('loadConfig', () => {
  it('defaults presigned URLs to one hour', () => {
    assert.equal(loadConfig(baseEnv).FILEFLOW_PRESIGN_EXPIRY_SECONDS, 3_600);
  });

  for (const value of ['1', '604800']) {
    it(`accepts a presign expiry of ${value} s`, () => {
      const config = loadConfig({ ...baseEnv, FILEFLOW_PRESIGN_EXPIRY_SECONDS: value });
      assert.equal(config.FILEFLOW_PRESIGN_EXPIRY_SECONDS, Number(value));
    });
  }

  for (const value of ['0', '604801', '-5', '1.5', 'an hour', '']) {
    it(`rejects a presign expiry of "${value}"`, () => {
      const env = { ...baseEnv, FILEFLOW_PRESIGN_EXPIRY_SECONDS: value };
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.match(error.message, /FILEFLOW_PRESIGN_EXPIRY_SECONDS is ".*": must be a whole/);
          assert.match(error.message, /seconds from 1 to 604800 \(7 days\)/);
          return true;
        },
      );
    });
  }

  it('takes S3_PUBLIC_ENDPOINT when given', () => {
    const config = loadConfig({ ...baseEnv, S3_PUBLIC_ENDPOINT: 'https://files.example.com' });
    assert.equal(config.S3_PUBLIC_ENDPOINT, 'https://files.example.com');
  });

  it('rejects an S3_PUBLIC_ENDPOINT that is not a URL', () => {
    assert.throws(
      () => loadConfig({ ...baseEnv, S3_PUBLIC_ENDPOINT: 'files.example.com' }),
      ConfigError,
    );
  });
});

describe('API start-up', () => {
  it('exits with code 2 and names an invalid presign expiry', () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const result = spawnSync(process.execPath, ['--import', 'tsx', main], {
      env: { PATH: process.env.PATH, ...baseEnv, FILEFLOW_PRESIGN_EXPIRY_SECONDS: '604801' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(result.status, 2, result.stderr);
    assert.match(
      result.stderr,
      /FILEFLOW_PRESIGN_EXPIRY_SECONDS is "604801": must be a whole number/,
    );
  });
});
