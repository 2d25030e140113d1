# pip disables its cache for any valid value of PIP_NO_CACHE_DIR, false ones
# included (pip's cmdoptions.py, _handle_no_cache_dir, kept for backwards
# compatibility).
FROM python:3.12-slim AS falsy
ENV PIP_NO_CACHE_DIR=false
RUN pip install flask==3.0.0
FROM python:3.12-slim
ENV PIP_NO_CACHE_DIR=1
RUN pip install flask==3.0.0
USER 10001
