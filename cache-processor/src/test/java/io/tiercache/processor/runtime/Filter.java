package io.tiercache.processor.runtime;

import java.util.List;
import java.util.Map;

/** A filter object, hashed into keys with {@code {filter#hash}}. */
public record Filter(String category, Map<String, String> attributes, List<String> tags) {}
