import { API_CLIENT_SCRIPT } from './api-client.ts';
import { KEY_FORM_SCRIPT } from './key-form.ts';
import { MAIN_SCRIPT } from './main.ts';
import { DASHBOARD_STYLES, FAVICON_SVG } from './styles.ts';
import { UPLOAD_FORM_SCRIPT } from './upload-form.ts';
import { UPLOADS_TABLE_SCRIPT } from './uploads-table.ts';

/** A file the dashboard page loads, with its media type. */
export interface DashboardAsset {
  body: string;
  contentType: string;
}

const JAVASCRIPT = 'text/javascript; charset=utf-8';

/**
 * Files of the dashboard by name. They are kept as strings in modules, not as files beside
 * them, so the esbuild bundle of the API carries them without a copy step.
 */
export const DASHBOARD_ASSETS: ReadonlyMap<string, DashboardAsset> = new Map([
  ['main.js', { body: MAIN_SCRIPT, contentType: JAVASCRIPT }],
  ['api-client.js', { body: API_CLIENT_SCRIPT, contentType: JAVASCRIPT }],
  ['key-form.js', { body: KEY_FORM_SCRIPT, contentType: JAVASCRIPT }],
  ['upload-form.js', { body: UPLOAD_FORM_SCRIPT, contentType: JAVASCRIPT }],
  ['uploads-table.js', { body: UPLOADS_TABLE_SCRIPT, contentType: JAVASCRIPT }],
  ['dashboard.css', { body: DASHBOARD_STYLES, contentType: 'text/css; charset=utf-8' }],
  ['favicon.svg', { body: FAVICON_SVG, contentType: 'image/svg+xml' }],
]);
