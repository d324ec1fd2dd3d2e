package dev.npc.daemon.stage;

/**
 * What ran before an activation, remembered so a rollback can restore it.
 *
 * @param profile the system profile's target (what boots), or null when there was none
 * @param running the running system ({@code /run/current-system}), or null when unknown
 */
public record Generation(String profile, String running) { }
