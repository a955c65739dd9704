package io.tiercache.toolkit;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A Lua script run by SHA, loaded by a plain {@code EVAL} the first time Redis lacks it. */
final class Script {

  private final String source;
  private final String sha;

  Script(String source) {
    this.source = source;
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
      this.sha = HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-1", e);
    }
  }

  String source() {
    return source;
  }

  <T> T run(
      RedisClusterCommands<String, byte[]> redis,
      ScriptOutputType type,
      String[] keys,
      byte[]... args) {
    try {
      return redis.evalsha(sha, type, keys, args);
    } catch (RedisNoScriptException e) {
      return redis.eval(source, type, keys, args); // EVAL also caches the script for EVALSHA
    }
  }
}
