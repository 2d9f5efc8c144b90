// The Node.js driver against the embedded MongoDB (client-tests runs this file as it is, on its
// own port). Prints each step's result and then each change event as Extended JSON, one a line.
import { BSON, MongoClient } from "mongodb";

const print = (value) => console.log(BSON.EJSON.stringify(value, { relaxed: true }));

const client = new MongoClient("mongodb://127.0.0.1:27017/app");
try {
  const orders = client.db().collection("orders");
  const changes = orders.watch([{ $match: { "fullDocument.tenantId": "globex" } }]);
  await changes.tryNext(); // opens the stream: it sees every write from here on

  const { insertedId } = await orders.insertOne({ tenantId: "globex", status: "placed" });
  print({ inserted: insertedId });

  const session = client.startSession();
  try {
    const committed = await session.withTransaction(async () => [
      (await orders.insertOne({ tenantId: "globex", status: "paid" }, { session })).insertedId,
      (await orders.insertOne({ tenantId: "globex", status: "paid" }, { session })).insertedId,
    ]);
    print({ committed });

    session.startTransaction();
    await orders.insertOne({ tenantId: "globex", status: "cancelled" }, { session });
    await session.abortTransaction();
    print({ aborted: await orders.countDocuments({ tenantId: "globex", status: "cancelled" }) });
  } finally {
    await session.endSession();
  }

  await orders.insertOne({ tenantId: "globex", status: "shipped" });
  for await (const change of changes) {
    print(change);
    if (change.fullDocument.status === "shipped") break;
  }
  await changes.close();
} finally {
  await client.close();
}
