package test;

import java.util.List;

public record Filter(String category, List<String> tags) {}
