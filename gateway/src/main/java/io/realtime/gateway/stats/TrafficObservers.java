package io.realtime.gateway.stats;

import java.util.List;

/** Hands every report to each of several observers. */
final class TrafficObservers implements TrafficObserver {

    private final List<TrafficObserver> observers;

    TrafficObservers(List<TrafficObserver> observers) {
        this.observers = observers;
    }

    @Override
    public void connected(String namespace) {
        observers.forEach(o -> o.connected(namespace));
    }

    @Override
    public void disconnected(String namespace, String reason) {
        observers.forEach(o -> o.disconnected(namespace, reason));
    }

    @Override
    public void refused(String reason) {
        observers.forEach(o -> o.refused(reason));
    }

    @Override
    public void eventReceived(String namespace, String event) {
        observers.forEach(o -> o.eventReceived(namespace, event));
    }

    @Override
    public void eventsSent(String namespace, String event, int count) {
        observers.forEach(o -> o.eventsSent(namespace, event, count));
    }

    @Override
    public void eventRefused(String namespace, String reason) {
        observers.forEach(o -> o.eventRefused(namespace, reason));
    }

    @Override
    public void closedForBehaviour(String reason) {
        observers.forEach(o -> o.closedForBehaviour(reason));
    }

    @Override
    public void bytesReceived(long bytes) {
        observers.forEach(o -> o.bytesReceived(bytes));
    }

    @Override
    public void bytesSent(long bytes) {
        observers.forEach(o -> o.bytesSent(bytes));
    }

    @Override
    public void handled(String namespace, String event, long nanos) {
        observers.forEach(o -> o.handled(namespace, event, nanos));
    }

    @Override
    public void handlerFailed(String namespace, String event) {
        observers.forEach(o -> o.handlerFailed(namespace, event));
    }

    @Override
    public void validationFailed(String namespace, String event) {
        observers.forEach(o -> o.validationFailed(namespace, event));
    }

    @Override
    public void roomJoined(String namespace) {
        observers.forEach(o -> o.roomJoined(namespace));
    }

    @Override
    public void roomLeft(String namespace) {
        observers.forEach(o -> o.roomLeft(namespace));
    }

    @Override
    public void ackRequested() {
        observers.forEach(TrafficObserver::ackRequested);
    }

    @Override
    public void ackAnswered(long nanos) {
        observers.forEach(o -> o.ackAnswered(nanos));
    }

    @Override
    public void ackTimedOut() {
        observers.forEach(TrafficObserver::ackTimedOut);
    }
}
