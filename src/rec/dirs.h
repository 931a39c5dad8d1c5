/* dirs: the folders of recordings and streams — made with their parents (0750), removed with
 * what is inside them (no symlink followed). POSIX nftw. */
#ifndef PLENUM_REC_DIRS_H
#define PLENUM_REC_DIRS_H

/* 0 or an errno. */
int rec_mkdirs(const char *path);
/* Removes path and everything below it; 0, or an errno (ENOENT: it was not there). */
int rec_rmtree(const char *path);

#endif
