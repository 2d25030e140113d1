# zypper clean / cc clean the package cache only; --all (-a) the metadata too.
FROM opensuse/leap:15.6
RUN zypper -n install curl=8.0.1 && zypper clean --all
RUN zypper -n install wget=1.20.3 && zypper -n cc -a
RUN zypper -n install tar=1.34 && zypper cc
RUN zypper -n install zip=3.0 && zypper clean
USER 10001
