package io.tiercache.toolkit;

import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.tiercache.internal.redis.RedisTier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link Leaderboards} on sorted sets; writes and trims are one script. */
final class RedisLeaderboards implements Leaderboards {

  // KEYS: board; ARGV: capacity, then score/member pairs. Returns 1 if the last member is on the
  // board after trimming.
  private static final Script ADD = new Script("""
      for i = 2, #ARGV, 2 do
        redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1])
      end
      local cap = tonumber(ARGV[1])
      local n = redis.call('ZCARD', KEYS[1])
      if n > cap then
        redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - cap - 1)
      end
      if redis.call('ZSCORE', KEYS[1], ARGV[#ARGV]) then return 1 end
      return 0
      """);

  // KEYS: board; ARGV: capacity, delta, member. Returns the new score as a string.
  private static final Script INCREMENT = new Script("""
      local score = redis.call('ZINCRBY', KEYS[1], ARGV[2], ARGV[3])
      local cap = tonumber(ARGV[1])
      local n = redis.call('ZCARD', KEYS[1])
      if n > cap then
        redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - cap - 1)
      end
      return score
      """);

  private final RedisTier redis;
  private final String prefix;

  RedisLeaderboards(RedisTier redis, String prefix) {
    this.redis = redis;
    this.prefix = prefix;
  }

  @Override
  public Leaderboard get(String name, int capacity) {
    Names.requireName(name, "name");
    Names.requirePositive(capacity, "capacity");
    return new Board(name, Names.key(prefix, "lb", name), capacity);
  }

  private static double finite(double value, String argument) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(argument + " must be finite, was " + value);
    }
    return value;
  }

  private static double parseScore(String text) {
    return switch (text) {
      case "inf", "+inf" -> Double.POSITIVE_INFINITY;
      case "-inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(text);
    };
  }

  private static byte[] number(double value) {
    return Double.toString(value).getBytes(StandardCharsets.US_ASCII);
  }

  private final class Board extends RedisStructure implements Leaderboard {
    private final int capacity;

    Board(String name, String key, int capacity) {
      super(RedisLeaderboards.this.redis, name, key, "leaderboard");
      this.capacity = capacity;
    }

    @Override
    public boolean add(String member, double score) {
      byte[] m = Names.utf8(Names.requireName(member, "member"));
      byte[] s = number(finite(score, "score"));
      long kept = redis.call(
          "leaderboard add",
          r -> ADD.<Long>run(
              r, ScriptOutputType.INTEGER, new String[] {key}, Names.utf8(capacity), s, m));
      return kept == 1;
    }

    @Override
    public void addAll(Map<String, Double> scores) {
      Names.requireNonNull(scores, "scores");
      if (scores.isEmpty()) {
        return;
      }
      byte[][] args = new byte[1 + 2 * scores.size()][];
      args[0] = Names.utf8(capacity);
      int i = 1;
      for (Map.Entry<String, Double> entry : scores.entrySet()) {
        Double score = Names.requireNonNull(entry.getValue(), "score of " + entry.getKey());
        args[i++] = number(finite(score, "score of " + entry.getKey()));
        args[i++] = Names.utf8(Names.requireName(entry.getKey(), "member"));
      }
      redis.call(
          "leaderboard add",
          r -> ADD.<Long>run(r, ScriptOutputType.INTEGER, new String[] {key}, args));
    }

    @Override
    public double increment(String member, double delta) {
      byte[] m = Names.utf8(Names.requireName(member, "member"));
      byte[] d = number(finite(delta, "delta"));
      byte[] score = redis.call(
          "leaderboard increment",
          r -> INCREMENT.<byte[]>run(
              r, ScriptOutputType.VALUE, new String[] {key}, Names.utf8(capacity), d, m));
      return parseScore(new String(score, StandardCharsets.US_ASCII));
    }

    @Override
    public List<RankedMember> top(int n) {
      Names.requirePositive(n, "n");
      int count = Math.min(n, capacity);
      List<ScoredValue<byte[]>> page =
          redis.call("leaderboard top", r -> r.zrevrangeWithScores(key, 0, count - 1));
      List<RankedMember> result = new ArrayList<>(page.size());
      for (int i = 0; i < page.size(); i++) {
        ScoredValue<byte[]> entry = page.get(i);
        result.add(new RankedMember(i + 1, Names.string(entry.getValue()), entry.getScore()));
      }
      return result;
    }

    @Override
    public Optional<RankedMember> rank(String member) {
      byte[] m = Names.utf8(Names.requireName(member, "member"));
      return redis.call("leaderboard rank", r -> {
        Long rank = r.zrevrank(key, m);
        if (rank == null) {
          return Optional.<RankedMember>empty();
        }
        Double score = r.zscore(key, m);
        return score == null
            ? Optional.<RankedMember>empty()
            : Optional.of(new RankedMember(rank + 1, member, score));
      });
    }

    @Override
    public boolean remove(String member) {
      byte[] m = Names.utf8(Names.requireName(member, "member"));
      return redis.call("leaderboard ZREM", r -> r.zrem(key, m)) > 0;
    }

    @Override
    public long size() {
      return redis.call("leaderboard ZCARD", r -> r.zcard(key));
    }

    @Override
    public int capacity() {
      return capacity;
    }
  }
}
