/**
 * The console in AWS (issue 16 item 6), in two stacks around the stateless one:
 *
 * - `<prefix>-Console` (before the APIs): a private S3 bucket served only through CloudFront with
 *   origin access control, HTTPS only, a security-headers policy, the SPA fallback of `/console/*`
 *   routes to `index.html` (a CloudFront Function, so a missing hashed asset stays a 404), access
 *   logs of both; the Cognito app client of the console (public: no secret, authorization code
 *   only, PKCE by the console, callbacks on the CloudFront domain) and the managed login domain.
 *   The APIs need the client id (their JWT audience) and the console's origin (CORS), so this
 *   stack comes first.
 * - `<prefix>-ConsoleContent` (after them): the built console (console/dist) and its config.json
 *   (where the API and the WebSocket are, how to sign in), deployed into the bucket, with the
 *   CDN's copies invalidated.
 */
import { CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import * as cloudfront from "aws-cdk-lib/aws-cloudfront";
import * as origins from "aws-cdk-lib/aws-cloudfront-origins";
import * as cognito from "aws-cdk-lib/aws-cognito";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as s3deploy from "aws-cdk-lib/aws-s3-deployment";
import type { Construct } from "constructs";
import type { InfraSettings } from "./config.js";
import { acknowledgeConsoleContentFindings, acknowledgeConsoleFindings } from "./nag-acknowledgements.js";

/** Where the console lives on its domain; the local stack serves it at the same path. */
export const consolePath = "/console/";

/**
 * Viewer-request function (cloudfront-js-2.0): `/` goes to the console; a console route without a
 * file extension (`/console/`, `/console/wall`) is the app's `index.html`, everything else (the
 * hashed assets, config.json) is fetched as named, so a missing asset is a 404, not the page.
 */
export const spaFallbackSource = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === "/" || uri === "" || uri === "/console") {
    return { statusCode: 302, statusDescription: "Found", headers: { location: { value: "/console/" } } };
  }
  if (uri.indexOf("/console/") === 0 && uri.slice(uri.lastIndexOf("/") + 1).indexOf(".") === -1) {
    request.uri = "/console/index.html";
  }
  return request;
}`;

export interface ConsoleStackProps extends StackProps {
  readonly settings: InfraSettings;
  readonly userPool: cognito.IUserPool;
}

export class ConsoleStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly client: cognito.UserPoolClient;
  readonly loginDomain: cognito.UserPoolDomain;
  /** `https://<distribution>.cloudfront.net`: the console's origin (CORS of the HTTP API). */
  readonly origin: string;
  /** `https://<distribution>.cloudfront.net/console/`: sign-in callback and sign-out target. */
  readonly consoleUrl: string;
  /**
   * Export names of the bucket's ARN and name: the content stack imports them by these names, so
   * its deployment role's grant (and the cdk-nag finding it is acknowledged by) names a stable ARN.
   */
  readonly bucketExports: { arn: string; name: string };

  constructor(scope: Construct, id: string, props: ConsoleStackProps) {
    super(scope, id, props);
    const { settings } = props;

    // Access logs of the bucket and of the distribution. CloudFront's standard logs are written
    // with an ACL, so this bucket (only this one) keeps object-writer ownership.
    this.logBucket = new s3.Bucket(this, "ConsoleLogs", {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(settings.logRetentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new s3.Bucket(this, "ConsoleBucket", {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: "s3/",
      // The content is the build's: a redeploy writes it again.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const region = this.region;
    const headers = new cloudfront.ResponseHeadersPolicy(this, "ConsoleSecurityHeaders", {
      comment: "Security headers of the console (the local stack sends the same: local/console.ts)",
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          // The API and the WebSocket are API Gateway's (execute-api); tokens come from the managed login domain.
          contentSecurityPolicy: [
            "default-src 'self'",
            `connect-src 'self' https://*.execute-api.${region}.amazonaws.com wss://*.execute-api.${region}.amazonaws.com https://*.auth.${region}.amazoncognito.com`,
            "img-src 'self' data:",
            "style-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",
          ].join("; "),
          override: true,
        },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, preload: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    const spaFallback = new cloudfront.Function(this, "ConsoleSpaFallback", {
      comment: "Console routes to index.html; / to /console/",
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(spaFallbackSource),
    });

    this.distribution = new cloudfront.Distribution(this, "ConsoleDistribution", {
      comment: `${settings.stackPrefix} console`,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
        functionAssociations: [{ function: spaFallback, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_ALL,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: "cloudfront/",
    });

    this.origin = `https://${this.distribution.distributionDomainName}`;
    this.consoleUrl = `${this.origin}${consolePath}`;

    // The console's own app client: a public client (a browser keeps no secret), the
    // authorization code flow only (the console sends a PKCE challenge), no password flows.
    this.client = new cognito.UserPoolClient(this, "ConsoleClient", {
      userPool: props.userPool,
      userPoolClientName: `${settings.stackPrefix}-console`,
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [this.consoleUrl],
        logoutUrls: [this.consoleUrl],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      enableTokenRevocation: true,
    });

    // Unset, Cognito would allow SRP and custom auth too: only refreshing the code flow's tokens.
    (this.client.node.defaultChild as cognito.CfnUserPoolClient).explicitAuthFlows = ["ALLOW_REFRESH_TOKEN_AUTH"];

    this.loginDomain = new cognito.UserPoolDomain(this, "ConsoleLoginDomain", {
      userPool: props.userPool,
      cognitoDomain: { domainPrefix: settings.consoleDomainPrefix },
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    // Managed login (v2) shows a client's pages only with a branding style; Cognito's own look.
    new cognito.CfnManagedLoginBranding(this, "ConsoleLoginBranding", {
      userPoolId: props.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    });

    this.bucketExports = { arn: `${settings.stackPrefix}-ConsoleBucketArn`, name: `${settings.stackPrefix}-ConsoleBucketName` };
    new CfnOutput(this, "ConsoleBucketArn", { value: this.bucket.bucketArn, exportName: this.bucketExports.arn });
    new CfnOutput(this, "ConsoleBucketName", { value: this.bucket.bucketName, exportName: this.bucketExports.name });
    new CfnOutput(this, "ConsoleUrl", { value: this.consoleUrl });
    new CfnOutput(this, "ConsoleClientId", { value: this.client.userPoolClientId });
    new CfnOutput(this, "ConsoleLoginUrl", { value: this.loginDomain.baseUrl() });

    acknowledgeConsoleFindings(this);
  }
}

/** What the console reads from `config.json` beside it (local/console.ts `ConsoleConfig`, AWS form). */
export interface AwsConsoleConfig {
  apiUrl: string;
  wsUrl: string;
  signIn: { kind: "cognito"; domain: string; clientId: string; redirectUri: string; logoutUri: string; scopes: string[] };
  shopTimeZone: string;
}

export interface ConsoleContentStackProps extends StackProps {
  readonly console: ConsoleStack;
  /** console/dist, built; undefined: a placeholder page (template tests, `bundle: false`). */
  readonly assetsDir: string | undefined;
  readonly config: AwsConsoleConfig;
}

/** The built console and its config.json in the bucket, and the CDN's copies invalidated. */
export class ConsoleContentStack extends Stack {
  /** The console bucket's ARN as imported here. */
  readonly bucketArn: string;
  readonly assets: s3deploy.BucketDeployment;
  readonly entry: s3deploy.BucketDeployment;

  constructor(scope: Construct, id: string, props: ConsoleContentStackProps) {
    super(scope, id, props);
    const { distribution } = props.console;
    const bucket = s3.Bucket.fromBucketAttributes(this, "ConsoleBucket", {
      bucketArn: Fn.importValue(props.console.bucketExports.arn),
      bucketName: Fn.importValue(props.console.bucketExports.name),
    });
    this.bucketArn = bucket.bucketArn;
    const placeholder = "<!doctype html><title>Console</title><p>Placeholder: the console was not built for this synth.</p>";
    // Hashed assets: immutable, kept across deploys (a page loaded before a deploy still finds its files).
    this.assets = new s3deploy.BucketDeployment(this, "ConsoleAssets", {
      sources: props.assetsDir ? [s3deploy.Source.asset(props.assetsDir, { exclude: ["index.html", ".build-fingerprint"] })] : [s3deploy.Source.data("assets/.keep", "")],
      destinationBucket: bucket,
      destinationKeyPrefix: "console/",
      prune: false,
      cacheControl: [s3deploy.CacheControl.fromString("public, max-age=31536000, immutable")],
      memoryLimit: 512,
    });
    // The entry page and the config: never cached by browsers, re-read after each deploy.
    this.entry = new s3deploy.BucketDeployment(this, "ConsoleEntry", {
      sources: [
        props.assetsDir ? s3deploy.Source.asset(props.assetsDir, { exclude: ["*", "!index.html"] }) : s3deploy.Source.data("index.html", placeholder),
        s3deploy.Source.jsonData("config.json", props.config),
      ],
      destinationBucket: bucket,
      destinationKeyPrefix: "console/",
      prune: false,
      cacheControl: [s3deploy.CacheControl.fromString("no-cache")],
      distribution,
      distributionPaths: ["/console/index.html", "/console/config.json", "/console/"],
      memoryLimit: 512,
    });
    this.entry.node.addDependency(this.assets);
    acknowledgeConsoleContentFindings(this);
  }
}
