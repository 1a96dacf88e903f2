/**
 * The console in AWS (issue 16 item 6): a private bucket reached only by CloudFront through
 * origin access control, HTTPS only, security headers, console routes falling back to index.html
 * (and nothing else), access logs; the console's Cognito app client public with the code flow
 * only and callbacks on the distribution; the managed login domain; the APIs accepting its
 * tokens and its origin; the build and config.json deployed under /console/. cdk-nag's findings
 * of these stacks are acknowledged in infra/nag-acknowledgements.ts (tests/infra/stacks.test.ts
 * fails on any other).
 */
import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { buildApp } from "../../infra/build-app.js";
import { settingsFromContext } from "../../infra/config.js";
import { spaFallbackSource } from "../../infra/console-stack.js";

const built = buildApp({ bundle: false });
const consoleTemplate = Template.fromStack(built.console);
const content = Template.fromStack(built.consoleContent);
const stateless = Template.fromStack(built.stateless);

const resourcesOf = (template: Template, type: string) => Object.entries(template.findResources(type));
const logicalIdOf = (template: Template, type: string, where: (props: any) => boolean = () => true) => {
  const found = resourcesOf(template, type).filter(([, r]) => where(r.Properties ?? {}));
  expect(found).toHaveLength(1);
  return found[0]?.[0] ?? "";
};

type CfEvent = { request: { uri: string; querystring?: Record<string, unknown> } };
type CfResult = { uri?: string; statusCode?: number; headers?: Record<string, { value: string }> };
const spaFallback = new Function(`${spaFallbackSource}; return handler;`)() as (event: CfEvent) => CfResult;

describe("console hosting", () => {
  const bucketId = built.console.getLogicalId(built.console.bucket.node.defaultChild as never);
  const distribution = () => Object.values(consoleTemplate.findResources("AWS::CloudFront::Distribution"))[0]?.Properties.DistributionConfig;

  it("keeps the bucket private: all public access blocked, encrypted, TLS only, its access logged", () => {
    consoleTemplate.hasResourceProperties("AWS::S3::Bucket", {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }] },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: "s3/" }),
      OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] },
    });
    const policy = Object.values(consoleTemplate.findResources("AWS::S3::BucketPolicy")).find((p) => JSON.stringify(p.Properties.Bucket).includes(bucketId));
    const statements = policy?.Properties.PolicyDocument.Statement as any[];
    expect(statements.find((s) => s.Effect === "Deny" && s.Condition?.Bool?.["aws:SecureTransport"] === "false")).toBeDefined();
    // Only CloudFront reads it, and only for this distribution (the OAC's signed requests).
    const allows = statements.filter((s) => s.Effect === "Allow");
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject" });
    expect(JSON.stringify(allows[0].Condition)).toContain("AWS:SourceArn");
  });

  it("reaches the bucket through origin access control, signing every request", () => {
    consoleTemplate.hasResourceProperties("AWS::CloudFront::OriginAccessControl", {
      OriginAccessControlConfig: { OriginAccessControlOriginType: "s3", SigningBehavior: "always", SigningProtocol: "sigv4" },
    });
    const [origin] = distribution().Origins;
    expect(origin.OriginAccessControlId).toBeDefined();
    expect(origin.S3OriginConfig).toEqual({ OriginAccessIdentity: "" });
    expect(JSON.stringify(origin.DomainName)).toContain(bucketId);
  });

  it("serves HTTPS only, with the security-headers policy, GET/HEAD only, and logs every request", () => {
    const config = distribution();
    expect(config.DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: "redirect-to-https", AllowedMethods: ["GET", "HEAD"], Compress: true });
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({ Ref: logicalIdOf(consoleTemplate, "AWS::CloudFront::ResponseHeadersPolicy") });
    expect(config.Logging).toMatchObject({ Prefix: "cloudfront/" });
    consoleTemplate.hasResourceProperties("AWS::CloudFront::ResponseHeadersPolicy", {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: {
          StrictTransportSecurity: { AccessControlMaxAgeSec: 730 * 86_400, IncludeSubdomains: true, Override: true },
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: "DENY", Override: true },
          ReferrerPolicy: { ReferrerPolicy: "no-referrer", Override: true },
          ContentSecurityPolicy: { ContentSecurityPolicy: Match.anyValue(), Override: true },
        },
      },
    });
    const csp = JSON.stringify(resourcesOf(consoleTemplate, "AWS::CloudFront::ResponseHeadersPolicy")[0]?.[1].Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy);
    for (const part of ["default-src 'self'", "frame-ancestors 'none'", "execute-api", "amazoncognito.com"]) expect(csp).toContain(part);
  });

  it("falls back to index.html for console routes only (a viewer-request function), and sends / to the console", () => {
    const functionId = logicalIdOf(consoleTemplate, "AWS::CloudFront::Function");
    expect(distribution().DefaultCacheBehavior.FunctionAssociations).toEqual([{ EventType: "viewer-request", FunctionARN: { "Fn::GetAtt": [functionId, "FunctionARN"] } }]);
    consoleTemplate.hasResourceProperties("AWS::CloudFront::Function", { FunctionCode: spaFallbackSource, FunctionConfig: Match.objectLike({ Runtime: "cloudfront-js-2.0" }) });
    const rewrite = (uri: string) => spaFallback({ request: { uri } });
    expect(rewrite("/console/").uri).toBe("/console/index.html");
    expect(rewrite("/console/wall").uri).toBe("/console/index.html");
    expect(rewrite("/console/supervisor/notices").uri).toBe("/console/index.html");
    expect(rewrite("/console/assets/index-abc123.js").uri).toBe("/console/assets/index-abc123.js");
    expect(rewrite("/console/config.json").uri).toBe("/console/config.json");
    expect(rewrite("/other/page").uri).toBe("/other/page");
    for (const uri of ["/", "/console"]) expect(rewrite(uri)).toMatchObject({ statusCode: 302, headers: { location: { value: "/console/" } } });
  });
});

describe("console sign-in", () => {
  it("has its own public app client: no secret, the authorization code flow only, callbacks on the distribution", () => {
    const clients = resourcesOf(consoleTemplate, "AWS::Cognito::UserPoolClient");
    expect(clients).toHaveLength(1);
    const props = clients[0]?.[1].Properties;
    expect(props.GenerateSecret).toBe(false);
    expect(props.AllowedOAuthFlows).toEqual(["code"]);
    expect(props.AllowedOAuthFlowsUserPoolClient).toBe(true);
    expect(props.AllowedOAuthScopes.sort()).toEqual(["email", "openid", "profile"]);
    // No password or SRP flow: the browser signs in only through the managed login pages.
    expect(props.ExplicitAuthFlows).toEqual(["ALLOW_REFRESH_TOKEN_AUTH"]);
    expect(props.SupportedIdentityProviders).toEqual(["COGNITO"]);
    const distributionId = logicalIdOf(consoleTemplate, "AWS::CloudFront::Distribution");
    for (const urls of [props.CallbackURLs, props.LogoutURLs]) {
      expect(urls).toEqual([{ "Fn::Join": ["", ["https://", { "Fn::GetAtt": [distributionId, "DomainName"] }, "/console/"]] }]);
    }
    expect(JSON.stringify(props.UserPoolId)).toContain("ImportValue");
  });

  it("has a managed login domain (v2) of the configured prefix, branded for the client", () => {
    consoleTemplate.hasResourceProperties("AWS::Cognito::UserPoolDomain", { Domain: "shiftqueue-console", ManagedLoginVersion: 2 });
    consoleTemplate.hasResourceProperties("AWS::Cognito::ManagedLoginBranding", { UseCognitoProvidedValues: true, ClientId: { Ref: logicalIdOf(consoleTemplate, "AWS::Cognito::UserPoolClient") } });
    expect(settingsFromContext(new App({ context: { consoleDomainPrefix: "myshop-desk" } })).consoleDomainPrefix).toBe("myshop-desk");
    expect(() => settingsFromContext(new App({ context: { consoleDomainPrefix: "my-cognito-shop" } }))).toThrow(/must not contain/);
    expect(() => settingsFromContext(new App({ context: { consoleDomainPrefix: "Shop_1" } }))).toThrow(/consoleDomainPrefix/);
  });

  it("lets the APIs accept the console's tokens and its origin", () => {
    const authorizer = Object.values(stateless.findResources("AWS::ApiGatewayV2::Authorizer"))[0]?.Properties;
    expect(authorizer.JwtConfiguration.Audience).toHaveLength(2);
    expect(JSON.stringify(authorizer.JwtConfiguration.Audience[1])).toMatch(/ImportValue.*ConsoleClient/);
    const api = Object.values(stateless.findResources("AWS::ApiGatewayV2::Api")).find((a) => a.Properties.ProtocolType === "HTTP")?.Properties;
    expect(api.CorsConfiguration.AllowOrigins).toHaveLength(1);
    expect(JSON.stringify(api.CorsConfiguration.AllowOrigins[0])).toMatch(/ImportValue.*ConsoleDistribution/);
    expect(api.CorsConfiguration.AllowHeaders).toEqual(expect.arrayContaining(["authorization", "content-type"]));
    // Functions that verify tokens themselves (WebSocket $connect, signature-or-jwt) accept both audiences.
    const socket = built.stateless.functions.get("AgentSocket")?.node.defaultChild as { environment?: unknown } | undefined;
    expect(socket).toBeDefined();
    const env = Object.values(stateless.findResources("AWS::Lambda::Function")).map((f) => f.Properties.Environment?.Variables?.JWT_AUDIENCE).filter(Boolean);
    expect(env.length).toBeGreaterThan(0);
    for (const audience of env) expect(JSON.stringify(audience)).toMatch(/"Fn::Join":\["",\[.*,",",.*ConsoleClient/);
  });
});

describe("console content", () => {
  it("deploys the build under /console/ (assets immutable, entry and config.json never cached) and invalidates the entry", () => {
    const deployments = Object.values(content.findResources("Custom::CDKBucketDeployment")).map((d) => d.Properties);
    expect(deployments).toHaveLength(2);
    for (const d of deployments) {
      expect(d.DestinationBucketKeyPrefix).toBe("console/");
      expect(d.Prune).toBe(false);
      expect(JSON.stringify(d.DestinationBucketName)).toContain("ConsoleBucketName");
    }
    const entry = deployments.find((d) => d.DistributionPaths);
    expect(entry?.SystemMetadata).toEqual({ "cache-control": "no-cache" });
    expect(entry?.DistributionPaths).toEqual(expect.arrayContaining(["/console/index.html", "/console/config.json"]));
    expect(entry?.SourceMarkers).toHaveLength(2);
    expect(JSON.stringify(entry?.SourceMarkers)).toContain("HttpApi");
    expect(deployments.find((d) => !d.DistributionPaths)?.SystemMetadata).toEqual({ "cache-control": "public, max-age=31536000, immutable" });
  });

  it("orders the stacks: identity and CDN before the APIs, the content after them", () => {
    expect(built.stateless.dependencies).toContain(built.console);
    expect(built.consoleContent.dependencies).toEqual(expect.arrayContaining([built.stateless, built.console]));
    expect(built.console.dependencies).toContain(built.stateful);
  });
});
