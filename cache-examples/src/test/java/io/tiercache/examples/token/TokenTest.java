package io.tiercache.examples.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.tiercache.examples.TestApp;
import io.tiercache.examples.TestApp.Reply;
import io.tiercache.test.RedisExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The token use case through HTTP: login, /me, logout, logout-all, the filter. */
class TokenTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private TestApp app;

  @BeforeEach
  void start() {
    app = TestApp.start(redis.uri());
  }

  @AfterEach
  void stop() {
    app.close();
  }

  @Test
  void login_thenMe() {
    Reply login = app.post("/login", "{\"user\": \"user12\", \"password\": \"password12\"}", null);
    assertEquals(200, login.status(), login.body());
    assertEquals("Bearer", login.json().get("token_type").asText());
    assertEquals(12, login.json().get("user").get("id").asLong());
    Reply me = app.get("/me", login.json().get("token").asText());
    assertEquals(200, me.status());
    assertEquals("user12", me.json().get("user").get("name").asText());
    assertEquals(1, me.json().get("sessions").asInt());
  }

  @Test
  void login_refusesBadCredentialsAndBodies() {
    assertEquals(
        401,
        app.post("/login", "{\"user\": \"user12\", \"password\": \"wrong\"}", null)
            .status());
    assertEquals(
        401,
        app.post("/login", "{\"user\": \"nobody\", \"password\": \"x\"}", null).status());
    assertEquals(400, app.post("/login", "{\"user\": \"user12\"}", null).status());
    assertEquals(400, app.post("/login", "not json", null).status());
    assertEquals(400, app.post("/login", "", null).status());
  }

  @Test
  void filter_refusesMissingAndBadTokens() {
    Reply missing = app.get("/me");
    assertEquals(401, missing.status());
    assertEquals("Bearer", missing.header("WWW-Authenticate"));
    assertEquals(401, app.get("/me", "not-a-token").status());
    assertEquals(401, app.post("/logout", null, null).status());
    assertEquals(401, app.post("/articles/1/like", null, "forged").status());
  }

  @Test
  void logout_revokesOnlyThatToken() {
    String phone = app.login(3);
    String laptop = app.login(3);
    assertNotEquals(phone, laptop);
    Reply logout = app.post("/logout", null, phone);
    assertEquals(200, logout.status());
    assertEquals(1, logout.json().get("revoked").asInt());
    assertEquals(401, app.get("/me", phone).status());
    assertEquals(200, app.get("/me", laptop).status());
    assertEquals(1, app.get("/me", laptop).json().get("sessions").asInt());
  }

  @Test
  void logoutAll_revokesEveryTokenOfTheUserOnly() {
    String one = app.login(4);
    String two = app.login(4);
    String other = app.login(5);
    Reply all = app.post("/logout-all", null, one);
    assertEquals(200, all.status());
    assertEquals(2, all.json().get("revoked").asInt());
    assertEquals(401, app.get("/me", one).status());
    assertEquals(401, app.get("/me", two).status());
    assertEquals(200, app.get("/me", other).status());
  }
}
