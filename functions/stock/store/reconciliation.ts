/** The reconciler's findings: the last repaired drift per SKU (StockDrift) and the last run's report (StockReconcileReport). */
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { StockDrift, StockReconcileReport, dynamo, tableName } from "../../shared/table/index.js";
import type { DriftFinding, ReconcileReport } from "../domain.js";

export async function getDrift(sku: string): Promise<DriftFinding | null> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: StockDrift.key({ sku }) }));
  return result.Item ? StockDrift.parse(result.Item) : null;
}

export async function putDrift(sku: string, finding: DriftFinding): Promise<void> {
  await dynamo.send(new PutCommand({ TableName: tableName, Item: StockDrift.item({ sku, ...finding }) }));
}

export async function putReport(report: ReconcileReport): Promise<void> {
  await dynamo.send(new PutCommand({ TableName: tableName, Item: StockReconcileReport.item(report) }));
}

export async function getReport(): Promise<ReconcileReport | undefined> {
  const result = await dynamo.send(new GetCommand({ TableName: tableName, Key: StockReconcileReport.key({}), ConsistentRead: true }));
  return result.Item ? StockReconcileReport.parse(result.Item) : undefined;
}
