import * as path from 'path';
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { App, CfnOutput, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { BaseInfra, LoadBalancerType, MicroService, ServiceCapacity, ServiceImage } from '../src';
import { INTEG_ENV, integStack, integTest } from './support';

/**
 * Seed 002's system: a web app on EC2 container instances in an Auto Scaling group, behind an
 * HTTPS load balancer, with a Multi-AZ PostgreSQL database, static assets in S3 served by a
 * CloudFront CDN, logs kept a year, and its settings in environment variables and secrets.
 *
 * The certificate and the domain come from context:
 * `-c certificateArn=arn:aws:acm:<region>:<account>:certificate/<id> -c domainName=app.example.com
 * -c hostedZoneId=Z... -c hostedZoneName=example.com`. The certificate must cover `domainName`,
 * in the stack's region; the app's alias record goes into that public hosted zone. Without them
 * the app synthesizes with placeholders, which is what the committed snapshot holds; a deploy with
 * the placeholders fails, because that certificate and that hosted zone do not exist.
 *
 * After deploy: ECS runs both tasks on the EC2 capacity provider with the default placement
 * (spread across zones, binpack on memory), the database is Multi-AZ, encrypted and keeps 7 days
 * of backups, the CDN is enabled, and `https://<domainName>/health` answers 200.
 *
 * Destroying the test leaves a final snapshot of the database (its removal policy) and the log
 * bucket (it holds the load balancer's, the CDN's and the asset bucket's access logs); delete them
 * by hand.
 *
 * `app` and `stack` are exported for test/micro-service-ec2.test.ts, which runs cdk-nag over them.
 */
export const app = new App();
const context = (key: string, fallback: string): string => app.node.tryGetContext(key) ?? fallback;
const domainName = context('domainName', 'app.example.com');
const hostedZoneName = context('hostedZoneName', 'example.com');
const hostedZoneId = context('hostedZoneId', 'Z00000000000000000000');
const certificateArn = context('certificateArn', `arn:aws:acm:${INTEG_ENV.region}:111111111111:certificate/00000000-0000-0000-0000-000000000000`);

export const stack = integStack(app, 'Seed002');
const infra = new BaseInfra(stack, 'Infra', {
  natGateways: 1,
  ec2Capacity: { instanceType: ec2.InstanceType.of(ec2.InstanceClass.M7I, ec2.InstanceSize.LARGE), maxCapacity: 4 },
  removalPolicy: RemovalPolicy.DESTROY,
});

// One bucket for every access log of the stack. CloudFront delivers its standard logs with an
// ACL, so ACLs stay enabled with the bucket owner owning every object.
const logBucket = new s3.Bucket(stack, 'Logs', {
  encryption: s3.BucketEncryption.S3_MANAGED,
  enforceSSL: true,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
  versioned: true,
  lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
  removalPolicy: RemovalPolicy.RETAIN,
});

const assets = new s3.Bucket(stack, 'Assets', {
  encryption: s3.BucketEncryption.S3_MANAGED,
  enforceSSL: true,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  versioned: true,
  serverAccessLogsBucket: logBucket,
  serverAccessLogsPrefix: 'assets/',
  // Browsers on the app's pages upload straight to the bucket with presigned URLs.
  cors: [{
    allowedOrigins: [`https://${domainName}`],
    allowedMethods: [s3.HttpMethods.GET, s3.HttpMethods.HEAD, s3.HttpMethods.PUT, s3.HttpMethods.POST],
    allowedHeaders: ['*'],
    maxAge: 3000,
  }],
  removalPolicy: RemovalPolicy.DESTROY,
});

const cdn = new cloudfront.Distribution(stack, 'Cdn', {
  comment: 'Static assets of the seed 002 web app',
  defaultBehavior: {
    origin: origins.S3BucketOrigin.withOriginAccessControl(assets),
    viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
    cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
    // CloudFront answers CORS itself, so a cached object serves pages of the app's domain alike.
    responseHeadersPolicy: new cloudfront.ResponseHeadersPolicy(stack, 'CdnCors', {
      corsBehavior: {
        accessControlAllowOrigins: [`https://${domainName}`],
        accessControlAllowMethods: ['GET', 'HEAD', 'OPTIONS'],
        accessControlAllowHeaders: ['*'],
        accessControlAllowCredentials: false,
        originOverride: true,
      },
    }),
  },
  httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
  priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
  enableLogging: true,
  logBucket,
  logFilePrefix: 'cdn/',
});
Validations.of(cdn).acknowledge({
  id: 'AwsSolutions-CFR4',
  reason: 'The CDN serves on its own *.cloudfront.net name, whose default certificate CloudFront pins to its TLSv1 policy; a stricter policy needs a custom domain with an ACM certificate in us-east-1, which this seed app does not have.',
});
Validations.of(cdn).acknowledge({
  id: 'AwsSolutions-CFR1',
  reason: 'Static assets of a public web app are served worldwide; there is no country to exclude.',
});
Validations.of(cdn).acknowledge({
  id: 'AwsSolutions-CFR2',
  reason: 'The CDN serves static, read-only objects through origin access control; a web ACL would filter nothing the cache does not already absorb.',
});

const db = new rds.DatabaseInstance(stack, 'Database', {
  engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17_6 }),
  instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.SMALL),
  vpc: infra.vpc,
  vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
  databaseName: 'app',
  // A generated password in Secrets Manager; the template never holds it.
  credentials: rds.Credentials.fromGeneratedSecret('app'),
  multiAz: true,
  storageEncrypted: true,
  storageType: rds.StorageType.GP3,
  allocatedStorage: 20,
  backupRetention: Duration.days(7),
  // A final snapshot on delete; deletion protection would block the test's destroy.
  removalPolicy: RemovalPolicy.SNAPSHOT,
  deletionProtection: false,
});
Validations.of(db).acknowledge({
  id: 'AwsSolutions-RDS10',
  reason: 'The integration test destroys its stack; the removal policy still takes a final snapshot. Production stacks set deletionProtection.',
});
Validations.of(db).acknowledge({
  id: 'AwsSolutions-RDS11',
  reason: 'Another port hides nothing from a scan inside the VPC; the database security group admits the web tasks only.',
});
// On the instance: its generated secret is a child of it (`db.secret` is the attachment).
Validations.of(db).acknowledge({
  id: 'AwsSolutions-SMG4',
  reason: 'Tasks read the password when they start; rotating it would break their new connections until they are replaced. Rotate together with a deployment, or with the multi-user scheme.',
});

const secretKey = new secretsmanager.Secret(stack, 'SecretKey', {
  description: 'Signing key of the web app (the SECRET_KEY of seed 002)',
  generateSecretString: { passwordLength: 64, excludePunctuation: true },
  removalPolicy: RemovalPolicy.DESTROY,
});
Validations.of(secretKey).acknowledge({
  id: 'AwsSolutions-SMG4',
  reason: 'Rotating the signing key would invalidate every session and signed URL the app has issued; it is rotated by hand with a deployment.',
});

const web = new MicroService(stack, 'Web', {
  infra,
  serviceName: 'web',
  image: ServiceImage.fromAsset(path.join(__dirname, 'services', 'backend')),
  // The node image's unprivileged user, named so the task definition shows it.
  user: 'node',
  capacity: ServiceCapacity.ec2(),
  cpu: 512,
  memoryLimitMiB: 1024,
  desiredCount: 2,
  loadBalancerType: LoadBalancerType.PUBLIC,
  certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', certificateArn),
  targetHealthCheck: { path: '/health' },
  accessLogsBucket: logBucket,
  logRetention: logs.RetentionDays.ONE_YEAR,
  environment: {
    DOMAIN_NAME: domainName,
    DATABASE_HOST: db.dbInstanceEndpointAddress,
    DATABASE_PORT: db.dbInstanceEndpointPort,
    DATABASE_NAME: 'app',
    ASSETS_BUCKET: assets.bucketName,
    CDN_DOMAIN: cdn.distributionDomainName,
  },
  secrets: {
    DATABASE_USER: ecs.Secret.fromSecretsManager(db.secret!, 'username'),
    DATABASE_PASSWORD: ecs.Secret.fromSecretsManager(db.secret!, 'password'),
    SECRET_KEY: ecs.Secret.fromSecretsManager(secretKey),
  },
  removalPolicy: RemovalPolicy.DESTROY,
});
db.connections.allowDefaultPortFrom(web, 'PostgreSQL from the web tasks');
assets.grantReadWrite(web);
// The grant's wildcards, one by one, so that any other wildcard on the task role still fails.
const assetsLogicalId = stack.getLogicalId(assets.node.defaultChild as s3.CfnBucket);
for (const finding of ['Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*', 'Action::s3:DeleteObject*',
  'Action::s3:Abort*', `Resource::<${assetsLogicalId}.Arn>/*`]) {
  Validations.of(web.taskDefinition.taskRole).acknowledge({
    id: `AwsSolutions-IAM5[${finding}]`,
    reason: 'The app reads, writes and deletes objects of its own asset bucket whose keys it chooses at run time; the grant covers that bucket only.',
  });
}

const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId, zoneName: hostedZoneName });
new route53.ARecord(stack, 'AppRecord', {
  zone,
  recordName: domainName,
  target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(web.loadBalancer!)),
});

new CfnOutput(stack, 'AppUrl', { value: `https://${domainName}` });
new CfnOutput(stack, 'CdnDomain', { value: cdn.distributionDomainName });

const integ = integTest(app, 'Seed002', stack);

integ.assertions
  .awsApiCall('ECS', 'describeServices', { cluster: infra.cluster.clusterName, services: [web.service.serviceArn] })
  .expect(ExpectedResult.objectLike({
    services: [Match.objectLike({
      runningCount: 2,
      desiredCount: 2,
      status: 'ACTIVE',
      capacityProviderStrategy: [Match.objectLike({ capacityProvider: infra.ec2CapacityProvider!.capacityProviderName })],
      // ECS takes the binpack field in any case; the template has it in capitals.
      placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }, { type: 'binpack', field: Match.stringLikeRegexp('^(MEMORY|memory)$') }],
    })],
  }))
  .waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) });

integ.assertions
  .awsApiCall('RDS', 'describeDBInstances', { DBInstanceIdentifier: db.instanceIdentifier })
  .expect(ExpectedResult.objectLike({
    DBInstances: [Match.objectLike({ MultiAZ: true, StorageEncrypted: true, BackupRetentionPeriod: 7, Engine: 'postgres' })],
  }));

integ.assertions
  .awsApiCall('CloudFront', 'getDistribution', { Id: cdn.distributionId })
  .expect(ExpectedResult.objectLike({
    Distribution: Match.objectLike({ Status: 'Deployed', DistributionConfig: Match.objectLike({ Enabled: true }) }),
  }))
  .waitForAssertions({ totalTimeout: Duration.minutes(20), interval: Duration.minutes(1) });

integ.assertions
  .httpApiCall(`https://${domainName}/health`)
  .expect(ExpectedResult.objectLike({ status: 200 }))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(20) });
