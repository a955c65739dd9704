package io.tiercache.toolkit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.RedisUnavailableException;
import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TokensTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  record Login(String ip, String agent) {}

  private Fixture fixture;
  private Tokens tokens;

  @BeforeEach
  void open() {
    fixture = Fixture.open(redis);
    tokens = fixture.toolkit.tokens();
  }

  @AfterEach
  void close() {
    fixture.close();
  }

  @Test
  void issueThenVerify_returnsSessionWithMetadata() {
    IssuedToken issued =
        tokens.issue("user-1", new Login("127.0.0.1", "curl"), Duration.ofHours(1));
    assertTrue(issued.token().matches("[A-Za-z0-9_-]{43}"), issued.token());
    assertEquals(RedisTokens.sha256Hex(issued.token()), issued.sessionId());
    assertFalse(issued.toString().contains(issued.token()));
    TokenVerification<Login> check = tokens.verify(issued.token(), Login.class);
    assertTrue(check.isValid());
    TokenSession<Login> session = check.session().orElseThrow();
    assertEquals("user-1", session.userId());
    assertEquals(new Login("127.0.0.1", "curl"), session.metadata());
    assertEquals(issued.sessionId(), session.sessionId());
    assertEquals(issued.expiresAt(), session.expiresAt());
    assertEquals(Duration.ofHours(1), Duration.between(session.issuedAt(), session.expiresAt()));
    try (Resp resp = redis.connect()) {
      long ttl = Fixture.pttl(resp, "t:__tk:token:" + issued.sessionId());
      assertTrue(ttl > 3_500_000 && ttl <= 3_600_000, "ttl " + ttl);
      assertTrue(Fixture.pttl(resp, "t:__tk:token_sessions:user-1") > 3_500_000);
    }
  }

  @Test
  void issue_twice_givesDifferentTokens() {
    assertNotEquals(tokens.issue("u", null).token(), tokens.issue("u", null).token());
  }

  @Test
  void manyIssuedAndRevoked_noRawTokenAnywhereInRedis() {
    List<IssuedToken> issued = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      issued.add(
          tokens.issue("user-" + (i % 6), new Login("10.0.0." + i, "agent"), Duration.ofHours(1)));
    }
    for (int i = 0; i < 20; i++) {
      assertTrue(tokens.revoke(issued.get(i * 3).token()));
    }
    assertTrue(tokens.revokeAll("user-5") > 0);
    StringBuilder everything = new StringBuilder();
    try (Resp resp = redis.connect()) {
      for (String key : Fixture.keys(resp)) {
        everything.append(key).append('\n');
        String type = (String) resp.command("TYPE", key);
        switch (type) {
          case "string" -> everything.append(resp.command("GET", key));
          case "hash" -> everything.append(resp.command("HGETALL", key));
          default -> throw new AssertionError("unexpected " + type + " at " + key);
        }
        everything.append('\n');
      }
    }
    String dump = everything.toString();
    assertTrue(dump.contains(issued.get(1).sessionId()), "the hash is what Redis holds");
    for (IssuedToken token : issued) {
      assertFalse(dump.contains(token.token()), "raw token found in Redis");
    }
  }

  @Test
  void revokeAll_endsEverySessionOfThatUserOnly() {
    List<IssuedToken> alice = List.of(
        tokens.issue("alice", null), tokens.issue("alice", null), tokens.issue("alice", null));
    IssuedToken bob = tokens.issue("bob", null);
    assertEquals(3, tokens.revokeAll("alice"));
    for (IssuedToken token : alice) {
      assertEquals(
          TokenVerification.Status.INVALID,
          tokens.verify(token.token(), Object.class).status());
    }
    assertTrue(tokens.verify(bob.token(), Object.class).isValid());
    assertEquals(0, tokens.revokeAll("alice"));
    try (Resp resp = redis.connect()) {
      for (IssuedToken token : alice) {
        assertNull(resp.command("GET", "t:__tk:token:" + token.sessionId()));
      }
      assertEquals(0L, resp.command("EXISTS", "t:__tk:token_sessions:alice"));
    }
  }

  @Test
  void issue_overTheLimit_revokesTheOldestSessions() {
    int max = Tokens.DEFAULT_MAX_SESSIONS_PER_USER;
    assertEquals(max, tokens.maxSessionsPerUser());
    IssuedToken other = tokens.issue("other", null);
    List<IssuedToken> issued = new ArrayList<>();
    for (int i = 0; i < max + 3; i++) {
      issued.add(
          tokens.issue("u", null)); // many in the same millisecond: the issue order still counts
    }
    for (int i = 0; i < 3; i++) {
      assertEquals(
          TokenVerification.Status.INVALID,
          tokens.verify(issued.get(i).token(), Object.class).status(),
          "session " + i + " is one of the 3 oldest");
    }
    for (int i = 3; i < max + 3; i++) {
      assertTrue(tokens.verify(issued.get(i).token(), Object.class).isValid(), "session " + i);
    }
    assertTrue(
        tokens.verify(other.token(), Object.class).isValid(),
        "another user's session is untouched");
    assertEquals(max, tokens.sessions("u", Object.class).size());
    try (Resp resp = redis.connect()) {
      assertEquals((long) max, resp.command("HLEN", "t:__tk:token_sessions:u"));
      assertEquals(
          issued.subList(3, max + 3).stream()
              .map(IssuedToken::sessionId)
              .sorted()
              .toList(),
          ((List<?>) resp.command("HKEYS", "t:__tk:token_sessions:u"))
              .stream().map(String.class::cast).sorted().toList());
      for (int i = 0; i < 3; i++) {
        assertNull(
            resp.command("GET", "t:__tk:token:" + issued.get(i).sessionId()),
            "a revoked session's key is deleted");
      }
    }
  }

  @Test
  void issue_concurrentLoginsOnSeveralInstances_neverExceedTheLimit() throws Exception {
    List<Fixture> instances =
        List.of(Fixture.open(redis), Fixture.open(redis), Fixture.open(redis));
    ExecutorService pool = Executors.newFixedThreadPool(12);
    try {
      List<Future<List<IssuedToken>>> logins = new ArrayList<>();
      for (Fixture instance : instances) {
        Tokens store = instance.toolkit.tokens(5);
        for (int t = 0; t < 4; t++) {
          logins.add(pool.submit(() -> {
            List<IssuedToken> mine = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
              mine.add(store.issue("u", null));
            }
            return mine;
          }));
        }
      }
      // every login ends before any token is verified: a token checked while other logins run
      // can still be valid then and be evicted by a later login
      List<IssuedToken> issued = new ArrayList<>();
      for (Future<List<IssuedToken>> login : logins) {
        issued.addAll(login.get());
      }
      int valid = 0;
      for (IssuedToken token : issued) {
        valid += tokens.verify(token.token(), Object.class).isValid() ? 1 : 0;
      }
      assertEquals(5, valid, "of 120 logins, exactly the limit stay valid");
      try (Resp resp = redis.connect()) {
        assertEquals(5L, resp.command("HLEN", "t:__tk:token_sessions:u"));
      }
    } finally {
      pool.shutdown();
      instances.forEach(Fixture::close);
    }
  }

  @Test
  void issue_expiredSessionsDoNotCountTowardTheLimit() {
    Tokens two = fixture.toolkit.tokens(2);
    IssuedToken a = two.issue("u", null, Duration.ofHours(1));
    IssuedToken brief = two.issue("u", null, Duration.ofMillis(50));
    try (Resp resp = redis.connect()) {
      await()
          .atMost(Duration.ofSeconds(3))
          .until(() -> (Long) resp.command("PTTL", "t:__tk:token:" + brief.sessionId()) == -2);
      IssuedToken b = two.issue("u", null, Duration.ofHours(1));
      assertTrue(
          two.verify(a.token(), Object.class).isValid(),
          "the expired session made room, not the oldest live one");
      assertEquals(
          Set.of(a.sessionId(), b.sessionId()),
          Set.copyOf((List<?>) resp.command("HKEYS", "t:__tk:token_sessions:u")),
          "the expired entry is dropped");
      IssuedToken c = two.issue("u", null, Duration.ofHours(1));
      assertFalse(
          two.verify(a.token(), Object.class).isValid(), "now the oldest live session ends");
      assertTrue(two.verify(b.token(), Object.class).isValid());
      assertTrue(two.verify(c.token(), Object.class).isValid());
    }
  }

  @Test
  void tokens_maxSessionsPerUser_isCheckedAndShared() {
    Toolkit toolkit = fixture.toolkit;
    for (int bad : new int[] {0, -1, Integer.MIN_VALUE}) {
      assertEquals(
          "maxSessionsPerUser must be positive, was " + bad,
          assertThrows(IllegalArgumentException.class, () -> toolkit.tokens(bad))
              .getMessage());
    }
    assertEquals(
        "maxSessionsPerUser must be at most 1000, was 1001",
        assertThrows(IllegalArgumentException.class, () -> toolkit.tokens(1001)).getMessage());
    assertEquals(1000, toolkit.tokens(Tokens.MAX_SESSIONS_PER_USER).maxSessionsPerUser());
    assertTrue(toolkit.tokens(Tokens.DEFAULT_MAX_SESSIONS_PER_USER) == toolkit.tokens());
    IssuedToken issued = toolkit.tokens(1).issue("u", null);
    assertTrue(
        toolkit.tokens().verify(issued.token(), Object.class).isValid(),
        "every view shares the sessions");
  }

  @Test
  void revoke_endsOneSession() {
    IssuedToken a = tokens.issue("u", null);
    IssuedToken b = tokens.issue("u", null);
    assertTrue(tokens.revoke(a.token()));
    assertFalse(tokens.revoke(a.token()));
    assertFalse(tokens.verify(a.token(), Object.class).isValid());
    assertTrue(tokens.verify(b.token(), Object.class).isValid());
  }

  @Test
  void sessions_listsLiveSessionsOldestFirst_withoutTokens() {
    Fixture.ManualClock clock = new Fixture.ManualClock(1_000_000_000_000L);
    try (Fixture timed = Fixture.open(redis, clock)) {
      Tokens store = timed.toolkit.tokens();
      IssuedToken first = store.issue("u", new Login("a", "x"), Duration.ofHours(1));
      clock.advance(1_000);
      IssuedToken second = store.issue("u", new Login("b", "y"), Duration.ofHours(1));
      store.issue("other", null);
      List<TokenSession<Login>> sessions = store.sessions("u", Login.class);
      assertEquals(
          List.of(first.sessionId(), second.sessionId()),
          sessions.stream().map(TokenSession::sessionId).toList());
      assertEquals(Instant.ofEpochMilli(1_000_000_000_000L), sessions.get(0).issuedAt());
      assertEquals(new Login("b", "y"), sessions.get(1).metadata());
      assertTrue(store.revokeSession("u", first.sessionId()));
      assertEquals(1, store.sessions("u", Login.class).size());
      assertFalse(store.verify(first.token(), Login.class).isValid());
    }
  }

  interface Claims {}

  @Test
  void verifyAndSessions_refuseAMetadataTypeThatCouldNotBeReadBack() {
    IssuedToken token = tokens.issue("u", Map.of("role", "admin"), Duration.ofMinutes(5));
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class, () -> tokens.verify(token.token(), Claims.class));
    assertTrue(
        e.getMessage()
            .startsWith("metadataType io.tiercache.toolkit.TokensTest$Claims is abstract"),
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> tokens.sessions("u", Claims.class));
    assertTrue(
        tokens.verify(token.token(), Map.class).isValid(),
        "a concrete type still reads the session");
  }

  @Test
  void sessions_expiredTokensPrunedFromUsersSet() {
    tokens.issue("u", null, Duration.ofMillis(100));
    IssuedToken live = tokens.issue("u", null, Duration.ofHours(1));
    try (Resp resp = redis.connect()) {
      await()
          .atMost(Duration.ofSeconds(3))
          .until(() -> tokens.sessions("u", Object.class).size() == 1);
      assertEquals(List.of(live.sessionId()), resp.command("HKEYS", "t:__tk:token_sessions:u"));
    }
  }

  @Test
  void revokeSession_ofAnotherUser_doesNothing() {
    IssuedToken bob = tokens.issue("bob", null);
    assertFalse(tokens.revokeSession("mallory", bob.sessionId()));
    assertFalse(tokens.revokeSession("bob", "not-a-session-id"));
    assertTrue(tokens.verify(bob.token(), Object.class).isValid());
  }

  @Test
  void verify_malformedOrUnknownTokens_areInvalidWithoutException() {
    String unknown = "A".repeat(43);
    for (String token : new String[] {
      null, "", "abc", "!".repeat(43), "A".repeat(44), "é".repeat(43), unknown, "t:__tk:token:*"
    }) {
      TokenVerification<Object> check = tokens.verify(token, Object.class);
      assertEquals(TokenVerification.Status.INVALID, check.status(), String.valueOf(token));
      assertTrue(check.session().isEmpty());
      assertFalse(tokens.revoke(token));
    }
  }

  @Test
  void verify_metadataPresentButNotInUsersSet_isInvalid() {
    IssuedToken issued = tokens.issue("u", null);
    try (Resp resp = redis.connect()) {
      resp.command("HDEL", "t:__tk:token_sessions:u", issued.sessionId());
    }
    assertEquals(
        TokenVerification.Status.INVALID,
        tokens.verify(issued.token(), Object.class).status());
  }

  @Test
  void verify_corruptSession_isInvalid() {
    IssuedToken issued = tokens.issue("u", null);
    try (Resp resp = redis.connect()) {
      resp.command("SET", "t:__tk:token:" + issued.sessionId(), "{not json");
    }
    assertEquals(
        TokenVerification.Status.INVALID,
        tokens.verify(issued.token(), Object.class).status());
  }

  @Test
  void issue_badArguments_throwNamingTheRule() {
    assertEquals(
        "userId must not be empty",
        assertThrows(IllegalArgumentException.class, () -> tokens.issue("", null))
            .getMessage());
    assertEquals(
        "ttl must be positive, was PT0S",
        assertThrows(IllegalArgumentException.class, () -> tokens.issue("u", null, Duration.ZERO))
            .getMessage());
    assertEquals(
        "userId must not be null",
        assertThrows(NullPointerException.class, () -> tokens.revokeAll(null)).getMessage());
  }

  @Test
  @Tag("fault")
  void redisDown_verifyFailsClosed_issueThrows() {
    try (Fixture faulty = Fixture.openForFaults(redis)) {
      Tokens store = faulty.toolkit.tokens();
      IssuedToken issued = store.issue("u", null);
      redis.stop();
      TokenVerification<Object> check = store.verify(issued.token(), Object.class);
      assertEquals(TokenVerification.Status.UNAVAILABLE, check.status());
      assertFalse(check.isValid());
      assertThrows(RedisUnavailableException.class, () -> store.issue("u", null));
    }
  }
}
