package io.tiercache;

import java.util.List;

/** A value type with nesting and a generic field, as the seed's project info. */
public record Project(long id, String name, List<String> tags) {}
