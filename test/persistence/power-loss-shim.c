// A power cut, simulated (test/persistence/power-loss.test.ts): an LD_PRELOAD shim over fsync(2) and fdatasync(2)
// that keeps, in a shadow directory, only what those calls made durable for files under one data dir.
//   STRATUS_POWERLOSS_DATA    the data dir (its state when the process starts counts as durable)
//   STRATUS_POWERLOSS_SHADOW  where the durable state goes: f-<inode> = a file's content at its last fsync,
//                             d-<inode> = a directory's entries at its last fsync ("d|f <inode> <name>" lines),
//                             root = the data dir's inode.
// The test rebuilds the data dir from the shadow after a SIGKILL: what the disk would hold after the power cut.
// Each snapshot is written to a temporary name and renamed, so a kill mid-snapshot leaves the previous one.
// syncfs, sync, sync_file_range and msync are not wrapped: neither SQLite's unix VFS nor Node's fs uses them
// (checked with strace -f); a call to one would make this model lose more than a real disk, never less.
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char data[PATH_MAX];
static size_t data_len;
static char shadow[PATH_MAX];
static int active;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);

static void commit(const char *tmp, const char *kind, unsigned long ino) {
  char final[PATH_MAX];
  snprintf(final, sizeof final, "%s/%s-%lu", shadow, kind, ino);
  rename(tmp, final);
}

static void save_file(const char *path, unsigned long ino) {
  char tmp[PATH_MAX];
  snprintf(tmp, sizeof tmp, "%s/tmp-%lu", shadow, ino);
  int in = open(path, O_RDONLY | O_CLOEXEC);
  if (in < 0) return;
  int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out >= 0) {
    char buf[1 << 16];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0) {
      if (write(out, buf, (size_t)n) != n) break;
    }
    close(out);
    commit(tmp, "f", ino);
  }
  close(in);
}

static void save_tree(const char *path, unsigned long ino, int recurse);

static void save_dir(const char *path, unsigned long ino, int recurse) {
  char tmp[PATH_MAX];
  snprintf(tmp, sizeof tmp, "%s/tmp-%lu", shadow, ino);
  DIR *d = opendir(path);
  if (!d) return;
  FILE *out = fopen(tmp, "we");
  if (out) {
    struct dirent *e;
    while ((e = readdir(d))) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      if (e->d_type != DT_DIR && e->d_type != DT_REG) continue;
      fprintf(out, "%c %lu %s\n", e->d_type == DT_DIR ? 'd' : 'f', (unsigned long)e->d_ino, e->d_name);
      if (recurse) {
        char child[PATH_MAX];
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        save_tree(child, (unsigned long)e->d_ino, e->d_type == DT_DIR);
      }
    }
    fclose(out);
    commit(tmp, "d", ino);
  }
  closedir(d);
}

static void save_tree(const char *path, unsigned long ino, int is_dir) {
  if (is_dir) save_dir(path, ino, 1);
  else save_file(path, ino);
}

/** After a successful sync of fd: its file's content, or its directory's entries, are now durable. */
static void synced(int fd) {
  if (!active) return;
  char link[64], path[PATH_MAX];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  if (n < 0) return;
  path[n] = 0;
  if (strncmp(path, data, data_len) != 0 || (path[data_len] != 0 && path[data_len] != '/')) return;
  struct stat st;
  if (fstat(fd, &st) != 0) return;
  pthread_mutex_lock(&mu);
  if (S_ISDIR(st.st_mode)) save_dir(link, (unsigned long)st.st_ino, 0);
  else if (S_ISREG(st.st_mode)) save_file(link, (unsigned long)st.st_ino);
  pthread_mutex_unlock(&mu);
}

int fsync(int fd) {
  int r = real_fsync(fd);
  if (r == 0) synced(fd);
  return r;
}

int fdatasync(int fd) {
  int r = real_fdatasync(fd);
  if (r == 0) synced(fd);
  return r;
}

__attribute__((constructor)) static void init(void) {
  real_fsync = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  real_fdatasync = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  // Not inherited by child processes (their files are not the server's).
  unsetenv("LD_PRELOAD");
  const char *d = getenv("STRATUS_POWERLOSS_DATA");
  const char *s = getenv("STRATUS_POWERLOSS_SHADOW");
  if (!d || !s || !realpath(d, data) || !realpath(s, shadow)) return;
  data_len = strlen(data);
  struct stat st;
  if (stat(data, &st) != 0) return;
  save_dir(data, (unsigned long)st.st_ino, 1);
  char root[PATH_MAX];
  snprintf(root, sizeof root, "%s/root", shadow);
  FILE *f = fopen(root, "we");
  if (!f) return;
  fprintf(f, "%lu\n", (unsigned long)st.st_ino);
  fclose(f);
  active = 1;
}
