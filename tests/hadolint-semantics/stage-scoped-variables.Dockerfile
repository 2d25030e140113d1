# ARG and ENV are scoped to their stage; a global ARG reaches only FROM
# lines unless re-declared. Out of scope, BuildKit expands them to nothing.
ARG TAR_VERSION=1.30
FROM centos:7 AS build
ARG GIT_VERSION=2.0
ENV ZIP_VERSION=3.0
RUN yum install -y git-core-${GIT_VERSION} zip-${ZIP_VERSION} tar-${TAR_VERSION} && yum clean all
FROM centos:7
RUN yum install -y git-core-${GIT_VERSION} zip-$ZIP_VERSION && yum clean all
ARG TAR_VERSION
RUN yum install -y tar-${TAR_VERSION} && yum clean all
# A variable the RUN's own script sets is the shell's.
RUN V=6.0 && yum install -y unzip-$V && yum clean all
USER 10001
