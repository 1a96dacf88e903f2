/**
 * Everything that holds data or identity and must survive a redeploy of the functions: the
 * application table, the queues with their dead-letter queues, the webhook secret, the
 * Cognito user pool, and the alarms that tell an operator a message is stuck.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as cloudwatchActions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as cognito from "aws-cdk-lib/aws-cognito";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { appTable, queueNames, queues, type QueueName } from "../functions/catalog/resources.js";
import type { InfraSettings } from "./config.js";
import { acknowledgeStatefulFindings } from "./nag-acknowledgements.js";

export interface StatefulStackProps extends StackProps {
  readonly settings: InfraSettings;
}

export interface QueuePair {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
}

/** Cognito groups; their names are the roles the functions read from `cognito:groups`. */
export const userGroups = ["supervisor", "agent"] as const;

const dlqRetention = Duration.days(14);

export class StatefulStack extends Stack {
  readonly table: dynamodb.Table;
  /**
   * The table's physical name, fixed (`<prefix>-AppTable`) rather than generated: the
   * stateless stack addresses the table by name, so it holds no CloudFormation export of this
   * stack (exports block updates of the exporting resource while imported), and the IAM
   * grants name a readable ARN.
   */
  readonly tableName: string;
  readonly queues: Readonly<Record<QueueName, QueuePair>>;
  /**
   * Where the table stream's consumers' records go when they were never processed (Lambda's
   * on-failure destination: the records' shard and sequence range). A consumer that retries until
   * the stream trims its records sends here only after 24 h of failures, when they are gone.
   */
  readonly streamFailureQueue: sqs.Queue;
  readonly webhookSecret: secretsmanager.Secret;
  /** Signs the assignment callbacks this backend POSTs to the chat platform (docs/integration.md). */
  readonly callbackSecret: secretsmanager.Secret;
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;
  /** `https://cognito-idp.{region}.amazonaws.com/{poolId}`: the `iss` of the pool's tokens. */
  readonly jwtIssuer: string;
  /** Alarms of both stacks notify this topic. */
  readonly alarmTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { settings } = props;

    this.tableName = `${settings.stackPrefix}-${appTable.logicalName}`;
    this.table = new dynamodb.Table(this, appTable.logicalName, {
      tableName: this.tableName,
      partitionKey: { name: appTable.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: appTable.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: appTable.ttlAttribute,
      stream: dynamodb.StreamViewType[appTable.stream],
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of appTable.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType[index.projection.type],
      });
    }

    // Alarm notifications are encrypted with a customer-managed key because CloudWatch cannot
    // publish to a topic encrypted with the AWS-managed SNS key.
    const alarmKey = new kms.Key(this, "AlarmTopicKey", {
      description: "Encrypts the shift-queue alarm topic",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    alarmKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"],
        conditions: { StringEquals: { "aws:SourceAccount": this.account } },
      }),
    );
    this.alarmTopic = new sns.Topic(this, "AlarmTopic", {
      displayName: "Shift & queue routing alarms",
      masterKey: alarmKey,
      enforceSSL: true,
    });
    if (settings.alarmEmail) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(settings.alarmEmail));
    const alarmAction = new cloudwatchActions.SnsAction(this.alarmTopic);

    const pairs = {} as Record<QueueName, QueuePair>;
    for (const name of queueNames) {
      const definition = queues[name];
      const idBase = `${name[0]?.toUpperCase() ?? ""}${name.slice(1)}`;
      const fifo = definition.fifo ? { fifo: true, contentBasedDeduplication: false } : {};
      const deadLetterQueue = new sqs.Queue(this, `${idBase}Dlq`, {
        ...fifo,
        retentionPeriod: dlqRetention,
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const queue = new sqs.Queue(this, `${idBase}Queue`, {
        ...fifo,
        visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: definition.maxReceiveCount },
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      pairs[name] = { queue, deadLetterQueue };

      // Any message in a DLQ is a conversation, notice or stock change that failed every retry.
      new cloudwatch.Alarm(this, `${idBase}DlqNotEmptyAlarm`, {
        alarmDescription: `${definition.description}: messages in the dead-letter queue (failed ${definition.maxReceiveCount} times). Inspect and redrive.`,
        metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(alarmAction);
      new cloudwatch.Alarm(this, `${idBase}OldestMessageAlarm`, {
        alarmDescription: `${definition.description}: oldest message waited more than ${settings.queueAgeAlarmSeconds} s; the consumer is failing or too slow.`,
        metric: queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: settings.queueAgeAlarmSeconds,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(alarmAction);
    }
    this.queues = pairs;

    this.streamFailureQueue = new sqs.Queue(this, "StreamFailureQueue", {
      retentionPeriod: dlqRetention,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new cloudwatch.Alarm(this, "StreamFailureQueueNotEmptyAlarm", {
      alarmDescription: "A table-stream consumer could not process records before the stream trimmed them (24 h of failing retries): the hourly metrics and arrival counts miss them. The message names the shard and sequence range (docs/operations.md).",
      metric: this.streamFailureQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(alarmAction);

    this.webhookSecret = new secretsmanager.Secret(this, "WebhookSecret", {
      description: "HMAC-SHA256 key shared with the chat platform, the warehouse and the order system (X-Signature header)",
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.callbackSecret = new secretsmanager.Secret(this, "CallbackSecret", {
      description: "HMAC-SHA256 key the assignment callbacks to the chat platform are signed with (X-Signature header)",
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.userPool = new cognito.UserPool(this, "UserPool", {
      // Supervisors create accounts; nobody signs up to a customer-service console.
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true, tempPasswordValidity: Duration.days(3) },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const group of userGroups) {
      this.userPool.addGroup(`${group[0]?.toUpperCase() ?? ""}${group.slice(1)}Group`, {
        groupName: group,
        description: group === "supervisor" ? "Supervisors: rotas, reallocation, broadcasts" : "Agents: receive conversations and notices",
      });
    }
    this.userPoolClient = this.userPool.addClient("AppClient", {
      generateSecret: false,
      authFlows: { userSrp: true, adminUserPassword: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(1),
      enableTokenRevocation: true,
    });
    this.jwtIssuer = `https://cognito-idp.${this.region}.${this.urlSuffix}/${this.userPool.userPoolId}`;

    new CfnOutput(this, "TableName", { value: this.table.tableName });
    new CfnOutput(this, "UserPoolId", { value: this.userPool.userPoolId });
    new CfnOutput(this, "UserPoolClientId", { value: this.userPoolClient.userPoolClientId });
    new CfnOutput(this, "WebhookSecretArn", { value: this.webhookSecret.secretArn });
    new CfnOutput(this, "CallbackSecretArn", { value: this.callbackSecret.secretArn });
    new CfnOutput(this, "AlarmTopicArn", { value: this.alarmTopic.topicArn });

    acknowledgeStatefulFindings(this);
  }
}
