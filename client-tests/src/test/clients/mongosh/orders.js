// mongosh against the embedded MongoDB (client-tests runs this file as it is, on its own port):
//   mongosh mongodb://127.0.0.1:27017/app --quiet orders.js
// Prints each step's result and then each change event as Extended JSON, one a line.
const show = (value) => print(EJSON.stringify(value, { relaxed: true }));

const changes = db.orders.watch([{ $match: { "fullDocument.tenantId": "acme" } }]);
changes.tryNext(); // opens the stream: it sees every write from here on
changes.disableBlockWarnings(); // next() below waits for the next change, as meant

show({ inserted: db.orders.insertOne({ tenantId: "acme", status: "placed" }).insertedId });

const session = db.getMongo().startSession();
const ordersInSession = session.getDatabase("app").orders;
let committed;
session.withTransaction(() => {
  committed = [
    ordersInSession.insertOne({ tenantId: "acme", status: "paid" }).insertedId,
    ordersInSession.insertOne({ tenantId: "acme", status: "paid" }).insertedId,
  ];
});
show({ committed });

session.startTransaction();
ordersInSession.insertOne({ tenantId: "acme", status: "cancelled" });
session.abortTransaction();
session.endSession();
show({ aborted: db.orders.countDocuments({ tenantId: "acme", status: "cancelled" }) });

db.orders.insertOne({ tenantId: "acme", status: "shipped" });
for (;;) {
  const change = changes.next();
  show(change);
  if (change.fullDocument.status === "shipped") break;
}
changes.close();
