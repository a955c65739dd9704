package io.tiercache;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP relay to a port on this host that can be partitioned: while {@link #partition} is on, no
 * byte moves in either direction but every socket stays open, as when a network drops packets;
 * when it heals, what was held back is delivered, as TCP retransmission would.
 */
final class Blackhole implements AutoCloseable {
  private final ServerSocket server;
  private final List<Socket> sockets = new ArrayList<>();
  private volatile boolean partitioned;

  Blackhole(int target) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket client = server.accept();
          Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
          synchronized (sockets) {
            sockets.add(client);
            sockets.add(upstream);
          }
          pipe(client.getInputStream(), upstream.getOutputStream());
          pipe(upstream.getInputStream(), client.getOutputStream());
        } catch (IOException closed) {
          return;
        }
      }
    }, "blackhole");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void pipe(InputStream from, OutputStream to) {
    Thread copier = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try (from; to) {
        while (true) {
          int n = from.read(buffer);
          if (n < 0) {
            return;
          }
          while (partitioned) {
            Thread.sleep(1);
          }
          to.write(buffer, 0, n);
          to.flush();
        }
      } catch (IOException | InterruptedException closed) {
        // either side closed
      }
    }, "blackhole-pipe");
    copier.setDaemon(true);
    copier.start();
  }

  /** {@code redis://127.0.0.1:PORT} of the relay. */
  String uri() {
    return "redis://127.0.0.1:" + server.getLocalPort();
  }

  /** Stops (true) or resumes (false) every byte, keeping the connections open. */
  void partition(boolean on) {
    partitioned = on;
  }

  @Override
  public void close() throws IOException {
    partitioned = false;
    server.close();
    synchronized (sockets) {
      for (Socket socket : sockets) {
        socket.close();
      }
    }
  }
}
