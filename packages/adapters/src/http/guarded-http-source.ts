import type { IncomingMessage } from 'node:http';
import {
  UploadFailure,
  type CancellationSignal,
  type RemoteFile,
  type RemoteFileSource,
} from '@fileflow/domain';
import { AddressGuard } from './address-guard.ts';
import { connectToCheckedAddress, type Connector } from './connector.ts';
import { parseContentType } from './content-type.ts';
import { Limits, type DownloadLimits, type LimitName } from './download-limits.ts';
import { resolveCheckedAddresses, systemLookup, type HostLookup } from './host-resolution.ts';
import { ResponseBody } from './response-body.ts';
import { sendRequest, type Exchange } from './send-request.ts';
import {
  cancelled,
  declaredTooLarge,
  requestFailure,
  timedOut,
  tooManyRedirects,
} from './source-failures.ts';
import { describeUrl, isRedirect, parseSourceUrl, redirectTarget } from './source-url.ts';
import { TransferControl } from './transfer-control.ts';

/** Options of GuardedHttpSource. Every option has a default. */
export interface GuardedHttpSourceOptions extends Partial<DownloadLimits> {
  /** CIDR networks allowed despite their range, e.g. ['127.0.0.0/8', '::1/128']. Default none. */
  allowedPrivateNetworks?: readonly string[];
  /** Setting names that failure messages cite for each limit. Default: the option names. */
  limitSettingNames?: Partial<Record<LimitName, string>>;
  /** Hostname resolver. Default: the system resolver (getaddrinfo). */
  lookup?: HostLookup;
  /** Socket opener. Default: connectToCheckedAddress. */
  connect?: Connector;
}

/**
 * RemoteFileSource that downloads http and https URLs and connects only to addresses the
 * address guard allows, on every redirect. Every failure is raised as UploadFailure.
 *
 * SOURCE_BLOCKED means a security rule rejected the source: the address guard, an https-to-http
 * redirect, or a TLS certificate that failed verification. SOURCE_INVALID means the URL or the
 * response cannot be used as given: scheme, credentials, redirect count, unknown host or broken
 * HTTP. Timeouts, unreachable hosts and interrupted bodies raise the retryable codes.
 *
 * The body is stored as served. Requests send Accept-Encoding: identity, and a response with
 * another Content-Encoding (gzip, say) is passed on without decoding.
 */
export class GuardedHttpSource implements RemoteFileSource {
  private readonly guard: AddressGuard;
  private readonly limits: Limits;
  private readonly lookup: HostLookup;
  private readonly connect: Connector;

  /** Validates the options, and throws RangeError for an invalid limit or network. */
  constructor(options: GuardedHttpSourceOptions = {}) {
    this.guard = new AddressGuard(options.allowedPrivateNetworks);
    this.limits = new Limits(options, options.limitSettingNames);
    this.lookup = options.lookup ?? systemLookup;
    this.connect = options.connect ?? connectToCheckedAddress;
  }

  /** Opens the URL, following redirects, and returns once a 2xx response's headers arrive. */
  async open(url: string, signal: CancellationSignal): Promise<RemoteFile> {
    const start = parseSourceUrl(url);
    const control = new TransferControl(signal, (reason) => cancelled(reason, start));
    const operation = `download of ${describeUrl(start)}`;
    control.startTimer(this.limits.values.totalTimeoutMs, () =>
      timedOut(operation, this.limits, 'totalTimeoutMs'),
    );

    try {
      const { url: finalUrl, response } = await this.followRedirects(start, control);
      return this.toRemoteFile(finalUrl, response, control);
    } catch (error) {
      control.close();
      throw control.failure ?? UploadFailure.unexpected(error);
    }
  }

  private async followRedirects(
    start: URL,
    control: TransferControl,
  ): Promise<{ url: URL; response: IncomingMessage }> {
    let url = start;
    for (let redirects = 0; redirects <= this.limits.values.maxRedirects; redirects += 1) {
      const { request, response } = await this.fetch(url, control);
      if (!isRedirect(response.statusCode ?? 0)) return { url, response };
      request.destroy();
      url = redirectTarget(url, response.headers.location);
    }
    throw tooManyRedirects(start, this.limits);
  }

  private async fetch(url: URL, control: TransferControl): Promise<Exchange> {
    const operation = `connecting to ${url.host}`;
    const stopConnectTimer = control.startTimer(this.limits.values.connectTimeoutMs, () =>
      timedOut(operation, this.limits, 'connectTimeoutMs'),
    );
    try {
      control.throwIfFailed();
      const addresses = await control.race(resolveCheckedAddresses(url, this.lookup, this.guard));
      control.throwIfFailed();
      const { guard, limits, connect } = this;
      const plan = { url, addresses, connect, guard, limits, stopConnectTimer };
      return await sendRequest(plan, control);
    } catch (error) {
      throw control.failure ?? requestFailure(error, url);
    } finally {
      stopConnectTimer();
    }
  }

  private toRemoteFile(url: URL, response: IncomingMessage, control: TransferControl): RemoteFile {
    const status = response.statusCode ?? 0;
    if (status < 200 || status > 299) throw UploadFailure.httpStatus(status, describeUrl(url));

    const declaredSize = parseContentLength(response.headers['content-length']);
    if (declaredSize !== null && declaredSize > this.limits.values.maxBytes) {
      throw declaredTooLarge(declaredSize, this.limits);
    }
    const body = new ResponseBody({ url, response, declaredSize, limits: this.limits, control });
    return { body, declaredSize, contentType: parseContentType(response.headers['content-type']) };
  }
}

/** Node's parser has already rejected malformed and conflicting Content-Length headers. */
function parseContentLength(header: string | undefined): number | null {
  if (header === undefined) return null;
  const value = Number(header);
  return Number.isSafeInteger(value) && value >= 0 ? value : null;
}
