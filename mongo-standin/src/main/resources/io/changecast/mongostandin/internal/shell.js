// The shell's globals, as mongosh names them, over __bridge (ShellBridge): commands travel as
// Extended JSON, replies come back as relaxed Extended JSON and are parsed into plain objects.
// ES5 only: this file is evaluated by Nashorn at every start.

var MongoServerError = function (reply) {
  this.name = 'MongoServerError';
  this.message = reply.errmsg;
  this.code = reply.code;
  this.codeName = reply.codeName;
  this.errorResponse = reply;
};
MongoServerError.prototype = Object.create(Error.prototype);
MongoServerError.prototype.constructor = MongoServerError;
MongoServerError.prototype.toString = function () {
  return this.name + ': ' + this.message;
};

var ObjectId = function (hex) {
  return { $oid: hex === undefined ? __bridge.newObjectId() : String(hex) };
};

function __runCommand(dbName, command) {
  if (typeof command === 'string') {
    var named = {};
    named[command] = 1;
    command = named;
  }
  var reply = JSON.parse(String(__bridge.command(dbName, JSON.stringify(command))));
  if (!reply.ok) {
    throw new MongoServerError(reply);
  }
  return reply;
}

function __checkWrite(reply) {
  if (reply.writeErrors && reply.writeErrors.length > 0) {
    var first = reply.writeErrors[0];
    var error = new MongoServerError({ errmsg: first.errmsg, code: first.code, codeName: first.codeName });
    error.name = 'MongoBulkWriteError';
    error.writeErrors = reply.writeErrors;
    throw error;
  }
  return reply;
}

function Cursor(collection, command) {
  this._collection = collection;
  this._command = command;
}
Cursor.prototype.toArray = function () {
  var reply = __runCommand(this._collection._db._name, this._command);
  var docs = reply.cursor.firstBatch.slice();
  var id = reply.cursor.id;
  while (id && id !== 0 && String(id) !== '0') {
    reply = __runCommand(this._collection._db._name, { getMore: id, collection: this._collection._name });
    docs = docs.concat(reply.cursor.nextBatch);
    id = reply.cursor.id;
  }
  return docs;
};
Cursor.prototype.forEach = function (fn) {
  this.toArray().forEach(fn);
};
Cursor.prototype.limit = function (n) {
  this._command.limit = n;
  return this;
};
Cursor.prototype.sort = function (spec) {
  this._command.sort = spec;
  return this;
};
Cursor.prototype.__shellValue = function () {
  return this.toArray();
};

function Collection(db, name) {
  this._db = db;
  this._name = name;
}
Collection.prototype.getName = function () {
  return this._name;
};
Collection.prototype.insertOne = function (doc) {
  if (doc._id === undefined) {
    doc._id = ObjectId();
  }
  __checkWrite(__runCommand(this._db._name, { insert: this._name, documents: [doc] }));
  return { acknowledged: true, insertedId: doc._id };
};
Collection.prototype.insertMany = function (docs) {
  var ids = {};
  docs.forEach(function (doc, i) {
    if (doc._id === undefined) {
      doc._id = ObjectId();
    }
    ids[i] = doc._id;
  });
  __checkWrite(__runCommand(this._db._name, { insert: this._name, documents: docs }));
  return { acknowledged: true, insertedIds: ids };
};
Collection.prototype.find = function (filter, projection) {
  var command = { find: this._name, filter: filter || {} };
  if (projection) {
    command.projection = projection;
  }
  return new Cursor(this, command);
};
Collection.prototype.findOne = function (filter, projection) {
  var docs = this.find(filter, projection).limit(1).toArray();
  return docs.length > 0 ? docs[0] : null;
};
Collection.prototype.countDocuments = function (filter) {
  return __runCommand(this._db._name, { count: this._name, query: filter || {} }).n;
};
Collection.prototype._update = function (filter, update, options, multi) {
  var statement = { q: filter, u: update, multi: multi, upsert: !!(options && options.upsert) };
  var reply = __checkWrite(__runCommand(this._db._name, { update: this._name, updates: [statement] }));
  var result = { acknowledged: true, matchedCount: reply.n, modifiedCount: reply.nModified, upsertedCount: 0 };
  if (reply.upserted && reply.upserted.length > 0) {
    result.matchedCount = 0;
    result.upsertedCount = reply.upserted.length;
    result.upsertedId = reply.upserted[0]._id;
  }
  return result;
};
Collection.prototype.updateOne = function (filter, update, options) {
  return this._update(filter, update, options, false);
};
Collection.prototype.updateMany = function (filter, update, options) {
  return this._update(filter, update, options, true);
};
Collection.prototype.replaceOne = function (filter, replacement, options) {
  return this._update(filter, replacement, options, false);
};
Collection.prototype._delete = function (filter, limit) {
  var reply = __checkWrite(
    __runCommand(this._db._name, { delete: this._name, deletes: [{ q: filter, limit: limit }] }));
  return { acknowledged: true, deletedCount: reply.n };
};
Collection.prototype.deleteOne = function (filter) {
  return this._delete(filter, 1);
};
Collection.prototype.deleteMany = function (filter) {
  return this._delete(filter, 0);
};
Collection.prototype.drop = function () {
  try {
    __runCommand(this._db._name, { drop: this._name });
    return true;
  } catch (e) {
    if (e.codeName === 'NamespaceNotFound') {
      return false;
    }
    throw e;
  }
};

function Database(name) {
  this._name = name;
}
Database.prototype.getName = function () {
  return this._name;
};
Database.prototype.toString = function () {
  return this._name;
};
Database.prototype.getSiblingDB = function (name) {
  return new Database(String(name));
};
Database.prototype.getCollection = function (name) {
  return new Collection(this, String(name));
};
Database.prototype.getCollectionNames = function () {
  return __runCommand(this._name, { listCollections: 1, nameOnly: true })
    .cursor.firstBatch.map(function (c) { return c.name; }).sort();
};
Database.prototype.runCommand = function (command) {
  return __runCommand(this._name, command);
};
Database.prototype.adminCommand = function (command) {
  return __runCommand('admin', command);
};
Database.prototype.hello = function () {
  return __runCommand(this._name, { hello: 1 });
};
Database.prototype.isMaster = function () {
  return __runCommand(this._name, { isMaster: 1 });
};
Database.prototype.dropDatabase = function () {
  return __runCommand(this._name, { dropDatabase: 1 });
};
// db.orders, as in mongosh
Database.prototype.__noSuchProperty__ = function (name) {
  return typeof name === 'string' && name.charAt(0) !== '_' ? this.getCollection(name) : undefined;
};

var rs = {
  status: function () {
    return __runCommand('admin', { replSetGetStatus: 1 });
  },
  initiate: function (config) {
    return __runCommand('admin', { replSetInitiate: config === undefined ? {} : config });
  },
  conf: function () {
    return __runCommand('admin', { replSetGetConfig: 1 }).config;
  },
  config: function () {
    return rs.conf();
  },
  hello: function () {
    return __runCommand('admin', { hello: 1 });
  },
  isMaster: function () {
    return __runCommand('admin', { isMaster: 1 });
  }
};

var db;

function sleep(ms) {
  __bridge.sleep(ms);
}

// mongosh's rendering, on one line: { ok: 1, set: 'rs0' }, ObjectId('...'), ISODate('...')
function __inspect(value, nested) {
  if (value === undefined) {
    return 'undefined';
  }
  if (value === null) {
    return 'null';
  }
  if (typeof value === 'string') {
    return nested ? "'" + value.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'" : value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (typeof value === 'function') {
    return '[Function: ' + (value.name || 'anonymous') + ']';
  }
  if (value instanceof Database) {
    return value._name;
  }
  if (value instanceof Collection) {
    return value._db._name + '.' + value._name;
  }
  if (value instanceof Error || value instanceof MongoServerError) {
    return String(value);
  }
  if (typeof value.__shellValue === 'function') {
    return __inspect(value.__shellValue(), nested);
  }
  if (typeof value !== 'object') {
    return String(value);
  }
  if (Array.isArray(value)) {
    return value.length === 0 ? '[]' : '[ ' + value.map(function (v) { return __inspect(v, true); }).join(', ') + ' ]';
  }
  var keys = Object.keys(value);
  if (keys.length === 1) {
    var only = value[keys[0]];
    switch (keys[0]) {
      case '$oid': return "ObjectId('" + only + "')";
      case '$date': return "ISODate('" + (typeof only === 'object' ? only.$numberLong : only) + "')";
      case '$numberLong': return "Long('" + only + "')";
      case '$numberDecimal': return "Decimal128('" + only + "')";
      case '$timestamp': return 'Timestamp({ t: ' + only.t + ', i: ' + only.i + ' })';
      default: break;
    }
  }
  if (keys.length === 0) {
    return '{}';
  }
  return '{ ' + keys.map(function (k) {
    var key = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : "'" + k + "'";
    return key + ': ' + __inspect(value[k], true);
  }).join(', ') + ' }';
}

function print() {
  var parts = [];
  for (var i = 0; i < arguments.length; i++) {
    parts.push(__inspect(arguments[i], false));
  }
  __bridge.println(parts.join(' '));
}

function printjson(value) {
  __bridge.println(__inspect(value, true));
}

function __use(name) {
  db = new Database(String(name));
}

// Evaluates a script in the global scope; prints its value unless undefined. Returns null, or the
// error's text when it threw.
function __evaluate(source) {
  try {
    var value = (0, eval)(String(source));
    if (value !== undefined) {
      __bridge.println(__inspect(value, false));
    }
    return null;
  } catch (e) {
    if (e instanceof MongoServerError) {
      return e.name + ': ' + e.message;
    }
    if (e instanceof Error) {
      return e.name + ': ' + e.message;
    }
    return 'Error: ' + String(e);
  }
}
