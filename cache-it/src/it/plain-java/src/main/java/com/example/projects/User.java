package com.example.projects;

/** A second value type, loaded in bulk. */
public record User(long id, String name) {}
