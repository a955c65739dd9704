package com.example.service;

public record Project(long id, String name) {}
