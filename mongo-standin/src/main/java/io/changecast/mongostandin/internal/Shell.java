package io.changecast.mongostandin.internal;

import com.mongodb.client.MongoClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import javax.script.Bindings;
import javax.script.Invocable;
import javax.script.ScriptContext;
import javax.script.ScriptEngine;
import javax.script.ScriptException;
import org.openjdk.nashorn.api.scripting.NashornScriptEngineFactory;

/**
 * A Nashorn engine with the shell's globals ({@code db}, {@code rs}, {@code sleep}, {@code print},
 * {@code printjson}, {@code ObjectId}) defined by {@code shell.js} over a {@link ShellBridge}.
 */
public final class Shell {

  private final ScriptEngine engine;

  /** A shell on {@code client} whose {@code db} is {@code database}. */
  public Shell(MongoClient client, String database, PrintStream out) {
    engine = new NashornScriptEngineFactory().getScriptEngine("--language=es6");
    Bindings globals = engine.getBindings(ScriptContext.ENGINE_SCOPE);
    globals.put("__bridge", new ShellBridge(client, out));
    try (InputStream in = Shell.class.getResourceAsStream("shell.js")) {
      if (in == null) {
        throw new IllegalStateException("shell.js is missing from the classpath");
      }
      engine.put(ScriptEngine.FILENAME, "shell.js");
      engine.eval(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      ((Invocable) engine).invokeFunction("__use", database);
    } catch (IOException | ScriptException | NoSuchMethodException e) {
      throw new IllegalStateException("the shell's JavaScript failed to load", e);
    }
  }

  /**
   * Evaluates {@code script} in the global scope and prints its value unless it is {@code
   * undefined}, as {@code mongosh --eval} does; {@code null} when it ran, else the error as {@code
   * mongosh} reports it ({@code MongoServerError: ...}).
   */
  public String evaluate(String script) {
    try {
      Object error = ((Invocable) engine).invokeFunction("__evaluate", script);
      return error == null ? null : error.toString();
    } catch (ScriptException | NoSuchMethodException e) {
      return e.getMessage();
    }
  }
}
