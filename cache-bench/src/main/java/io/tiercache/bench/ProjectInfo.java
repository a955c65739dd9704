package io.tiercache.bench;

import java.util.List;

/**
 * The value the benchmarks cache: a project's details as a service would keep them. Its JSON is
 * about 1 KiB ({@link #sample}), below the default compression threshold, so both the Tiercache
 * path and the raw path decode the same plain JSON.
 */
public record ProjectInfo(
    long id,
    String name,
    String owner,
    String description,
    String homepage,
    List<String> tags,
    List<String> moderators,
    int members,
    long createdAtMillis,
    boolean archived) {

  private static final String DESCRIPTION = "A study group that reads one paper a week and writes "
      + "up what it learned: the method, the numbers that matter, what did not reproduce and why. "
      + "Members take turns presenting; the notes, slides and code live in the shared folder. "
      + "New members are welcome at any time, start with the reading list pinned at the top. "
      + "Sessions are recorded for those in other time zones and summarised in the weekly digest. "
      + "Please keep discussion on topic and cite sources, and mark spoilers for unpublished work. "
      + "Questions go to the moderators listed below.";

  /** A value whose JSON is {@value #SAMPLE_JSON_BYTES} bytes or so, different for each id. */
  public static ProjectInfo sample(long id) {
    return new ProjectInfo(
        id,
        "Paper club #" + id,
        "owner-" + (id % 9973),
        DESCRIPTION,
        "https://example.org/groups/" + id + "/paper-club/reading-list-and-archive",
        List.of(
            "research",
            "reading-group",
            "weekly",
            "machine-learning",
            "systems",
            "papers",
            "distributed-systems",
            "databases",
            "compilers",
            "study-notes"),
        List.of(
            "moderator-" + (id % 101),
            "moderator-" + (id % 103),
            "moderator-" + (id % 107),
            "moderator-" + (id % 109),
            "moderator-" + (id % 113)),
        (int) (id % 5000) + 12,
        1_700_000_000_000L + id,
        false);
  }

  /** About how long the JSON of {@link #sample} is, in bytes. */
  public static final int SAMPLE_JSON_BYTES = 1000;
}
