# pymongo against the embedded MongoDB (client-tests runs this file as it is, on its own port).
# Prints each step's result and then each change event as Extended JSON, one a line.
from bson import json_util
from pymongo import MongoClient


def show(value):
    print(json_util.dumps(value, json_options=json_util.RELAXED_JSON_OPTIONS), flush=True)


client = MongoClient("mongodb://127.0.0.1:27017/app")
orders = client.get_default_database().orders
with client, orders.watch([{"$match": {"fullDocument.tenantId": "initech"}}]) as changes:
    show({"inserted": orders.insert_one({"tenantId": "initech", "status": "placed"}).inserted_id})

    with client.start_session() as session:
        with session.start_transaction():  # commits when the block ends
            committed = [
                orders.insert_one({"tenantId": "initech", "status": "paid"}, session=session).inserted_id,
                orders.insert_one({"tenantId": "initech", "status": "paid"}, session=session).inserted_id,
            ]
        show({"committed": committed})

        session.start_transaction()
        orders.insert_one({"tenantId": "initech", "status": "cancelled"}, session=session)
        session.abort_transaction()
        show({"aborted": orders.count_documents({"tenantId": "initech", "status": "cancelled"})})

    orders.insert_one({"tenantId": "initech", "status": "shipped"})
    for change in changes:
        show(change)
        if change["fullDocument"]["status"] == "shipped":
            break
