/** `GET /health`: 200 when the function can reach its table. */
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { httpApi } from "../shared/http.js";
import { dynamo, tableName } from "../shared/table/index.js";
import { healthApi } from "./functions.js";

export const handler = httpApi(healthApi, {
  "GET /health": async () => {
    const table = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    return { status: 200, body: { status: "ok", table: table.Table?.TableStatus ?? "unknown" } };
  },
});
